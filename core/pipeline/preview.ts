/**
 * A small copy of the photo and its mask, for the effects that blur a whole picture: blurred
 * backgrounds, the highlight's blur and drop shadows. A blur is smooth by nature, so it is
 * computed on at most `PREVIEW_PIXELS` and scaled back up band by band; photos that small are
 * used as they are, so their answers are exactly the whole-image composition's.
 */
import { blurredBackdrop, resizedReader, shadowMask, shadowShape } from "../compose";
import type { RowReader } from "../codecs/rows";
import type { RgbaImage } from "../image";
import type { MaskRows } from "../mask";
import type { Ledger } from "./ledger";
import { BAND_ROWS, forEachBand, type MaskBands } from "./mask-bands";
import { imageReader, type ImageSource } from "./sources";

/** Largest preview: 1 MP, 4 MB of RGBA plus the same again for a backdrop. */
export const PREVIEW_PIXELS = 1_048_576;

export interface Preview {
  image: RgbaImage;
  mask: Uint8Array;
  /** Preview pixels per photo pixel (1 when the preview is the photo itself). */
  scale: number;
}

/** The preview of `source` with its mask (the final mask when exact, else the network's resized). */
export function makePreview(source: ImageSource, mask: MaskBands, base: MaskRows, ledger: Ledger): Preview {
  const { width, height } = source;
  if (width * height <= PREVIEW_PIXELS) {
    const pixels = ledger.bytes(width * height * 4);
    const whole = ledger.bytes(width * height);
    forEachBand(source, ledger, (y0, rows, band) => {
      pixels.set(band.subarray(0, rows * width * 4), y0 * width * 4);
      mask.read(y0, rows, whole.subarray(y0 * width), band);
    });
    return { image: { width, height, pixels }, mask: whole, scale: 1 };
  }
  const scale = Math.sqrt(PREVIEW_PIXELS / (width * height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const pixels = ledger.bytes(w * h * 4);
  const reader = resizedReader(source.open({ width: w, height: h }), w, h);
  reader.read(pixels, h);
  reader.close();
  const small = base.resized(w, h);
  ledger.take(small.byteLength);
  return { image: { width: w, height: h, pixels }, mask: small, scale: w / width };
}

/** Rows of a preview-sized picture brought up to the photo's size (bilinear), as a stream. */
export function upscaledRows(image: RgbaImage, width: number, height: number): RowReader {
  return image.width === width && image.height === height ? imageReader(image) : resizedReader(imageReader(image), width, height);
}

/** The background blurred with standard deviation `sigma` photo pixels, as rows of the photo's size. */
export function backdropRows(preview: Preview, sigma: number, width: number, height: number, ledger: Ledger): RowReader {
  const { image, mask, scale } = preview;
  const behind = blurredBackdrop(image, mask, sigma * scale);
  ledger.take(behind.byteLength);
  return upscaledRows({ width: image.width, height: image.height, pixels: behind }, width, height);
}

/** The drop shadow's darkness (0..255) as rows of the photo's size, one byte a pixel. */
export function shadowRows(preview: Preview, width: number, height: number, ledger: Ledger): { read(into: Uint8Array, rows: number): void; opacity: number } {
  const { image, mask, scale } = preview;
  const full = shadowShape(width, height);
  const shape = { dx: Math.round(full.dx * scale), dy: Math.round(full.dy * scale), blur: full.blur * scale, opacity: full.opacity };
  const small = shadowMask(mask, image.width, image.height, shape);
  // Carried in the alpha channel, which the resizer interpolates linearly.
  const carrier = ledger.bytes(small.length * 4);
  for (let i = 0; i < small.length; i++) carrier[i * 4 + 3] = small[i];
  const rows = upscaledRows({ width: image.width, height: image.height, pixels: carrier }, width, height);
  const band = ledger.bytes(width * 4 * BAND_ROWS);
  return {
    opacity: shape.opacity,
    read(into, count) {
      rows.read(band, count);
      for (let i = 0; i < count * width; i++) into[i] = band[i * 4 + 3];
    },
  };
}
