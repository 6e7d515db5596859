/**
 * WebP through jSquash's libwebp build (SIMD, single-threaded): lossy with a lossless alpha
 * plane, or lossless at quality=100. It needs the whole picture, so it has a pixel cap
 * (docs/formats.md).
 */
import { defaultOptions } from "@jsquash/webp/meta.js";
import type { Encoder } from "./encoder";
import { wholeRgba } from "./rows";

/** Default quality: the bytes table in docs/formats.md (SSIM ≥ 0.98 over grey at ≤ 15 % of PNG). */
export const WEBP_QUALITY = 80;

export const webp: Encoder = {
  mime: "image/webp",
  maxPixels: 2_097_152,
  memory: { wasmBase: 16_777_216, wasmPerPixel: 36, jsPerPixel: 5 },
  defaultQuality: WEBP_QUALITY,
  async *encode(picture, codecs, ledger, { quality = WEBP_QUALITY }) {
    const rgba = wholeRgba(picture, ledger);
    // exact=0 lets libwebp change the colour under alpha 0 (the cutout's are 0 already).
    const options = quality >= 100 ? { ...defaultOptions, lossless: 1, quality: 75 } : { ...defaultOptions, quality };
    try {
      yield await codecs.webp.encode(rgba, picture.width, picture.height, options);
    } finally {
      ledger.release(rgba);
    }
  },
};
