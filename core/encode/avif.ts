/**
 * AVIF through jSquash's libavif + libaom build (single-threaded), lossy with alpha, or lossless
 * at quality=100. It needs the whole picture, so it has a pixel cap (docs/formats.md).
 */
import { defaultOptions } from "@jsquash/avif/meta.js";
import type { Encoder } from "./encoder";
import { wholeRgba } from "./rows";

/** Default quality: the bytes table in docs/formats.md (SSIM ≥ 0.98 over grey at ≤ 15 % of PNG). */
export const AVIF_QUALITY = 60;

/** libaom speed 8: ~2.5× faster than jSquash's default 6 for ~1 % more bytes (docs/formats.md). */
const SPEED = 8;

export const avif: Encoder = {
  mime: "image/avif",
  maxPixels: 2_097_152,
  memory: { wasmBase: 16_777_216, wasmPerPixel: 36, jsPerPixel: 5 },
  defaultQuality: AVIF_QUALITY,
  async *encode(picture, codecs, ledger, { quality = AVIF_QUALITY }) {
    const rgba = wholeRgba(picture, ledger);
    const options =
      quality >= 100
        ? { ...defaultOptions, lossless: true, quality: 100, qualityAlpha: -1, subsample: 3, speed: SPEED }
        : { ...defaultOptions, quality, speed: SPEED };
    try {
      yield await codecs.avif.encode(rgba, picture.width, picture.height, options);
    } finally {
      ledger.release(rgba);
    }
  },
};
