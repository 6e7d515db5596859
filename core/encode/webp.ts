/**
 * WebP through jSquash's libwebp build (SIMD, single-threaded): lossy with a lossless alpha
 * plane, or lossless at quality=100. It needs the whole picture, so it has a pixel cap
 * (docs/formats.md).
 */
import { defaultOptions } from "@jsquash/webp/meta.js";
import { LOSSLESS_QUALITY, type Encoder } from "./encoder";
import { wholeChunks } from "./rows";

/**
 * Largest answer encoded (1024×1024): the encoder's memory at this size (≈ 45 MB lossy, 50 MB
 * lossless) stays held by the isolate for good; two such encoders beside the streaming pipeline
 * must fit in 110 MB.
 */
export const MAX_WEBP_PIXELS = 1_048_576;

/** Default quality: the bytes table in docs/formats.md (SSIM ≥ 0.98 over grey at ≤ 15 % of PNG). */
export const WEBP_QUALITY = 85;

export const webp: Encoder = {
  mime: "image/webp",
  maxPixels: MAX_WEBP_PIXELS,
  memory: { wasmBase: 16_777_216, perPixel: 28, losslessPerPixel: 32, jsPerPixel: 7 },
  defaultQuality: WEBP_QUALITY,
  encode(picture, codecs, ledger, { quality = WEBP_QUALITY }) {
    // exact=0 lets libwebp change the colour under alpha 0 (the cutout's are 0 already).
    const options = quality >= LOSSLESS_QUALITY ? { ...defaultOptions, lossless: 1, quality: 75 } : { ...defaultOptions, quality };
    return wholeChunks(picture, ledger, (rgba) => codecs.webp.encode(rgba, picture.width, picture.height, options));
  },
};
