/**
 * AVIF through jSquash's libavif + libaom build (single-threaded), lossy with alpha. No lossless
 * mode: lossless AVIF (4:4:4) grew the encoder to 57 MB at 1 MP against 42 MB lossy, and that
 * memory stays held (docs/formats.md), so quality=100 is its best lossy setting; lossless is
 * format=webp&quality=100. It needs the whole picture, so it has a pixel cap.
 */
import { defaultOptions } from "@jsquash/avif/meta.js";
import type { Encoder } from "./encoder";
import { wholeChunks } from "./rows";

/**
 * Largest answer encoded (1024×1024): the encoder's memory at this size (≈ 45 MB) stays held by
 * the isolate for good; two such encoders beside the streaming pipeline must fit in 110 MB.
 */
export const MAX_AVIF_PIXELS = 1_048_576;

/** Default quality: the bytes table in docs/formats.md (SSIM ≥ 0.98 over grey at ≤ 15 % of PNG). */
export const AVIF_QUALITY = 75;

/** libaom speed 8: ~2.5× faster than jSquash's default 6 for ~1 % more bytes (docs/formats.md). */
const SPEED = 8;

export const avif: Encoder = {
  mime: "image/avif",
  maxPixels: MAX_AVIF_PIXELS,
  memory: { wasmBase: 16_777_216, perPixel: 28, losslessPerPixel: 28, jsPerPixel: 5 },
  defaultQuality: AVIF_QUALITY,
  encode: (picture, codecs, ledger, { quality = AVIF_QUALITY }) =>
    wholeChunks(picture, ledger, (rgba) => codecs.avif.encode(rgba, picture.width, picture.height, { ...defaultOptions, quality, speed: SPEED })),
};
