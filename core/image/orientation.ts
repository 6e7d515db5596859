/**
 * The geometry of EXIF orientation for a streaming pipeline: rows of the upright image (as a
 * browser displays it) from rows of the stored image (as the codec decodes it).
 *
 * Orientation says how to turn the stored image to display it: 1 as is; 2 mirror left–right;
 * 3 rotate 180°; 4 mirror top–bottom; 5 transpose (mirror left–right, then rotate 90° counter-
 * clockwise); 6 rotate 90° clockwise; 7 transverse (mirror left–right, then rotate 90°
 * clockwise); 8 rotate 90° counter-clockwise. With 6 the stored top row becomes the right-most
 * column: a landscape photo taken with the phone upright is displayed as the portrait it was.
 *
 * Only 1 and 2 can stream (2 is a per-row mirror); every other orientation needs the last
 * stored row, or a whole stored column, for the first upright row, so the image is buffered.
 */
import type { Orientation } from "../codecs/exif";

export type { Orientation };

/** A decoded image held whole: `channels` bytes a pixel (3 RGB, 4 RGBA), rows packed. */
export interface StoredImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Whether the upright image is the stored one with width and height exchanged (5–8). */
export const swapsAxes = (o: Orientation): boolean => o >= 5;

/**
 * Whether upright rows cannot be produced top to bottom as stored rows arrive: the pipeline
 * must buffer the whole image (everything but 1, and 2 which mirrors each row on its own).
 */
export const flipsRows = (o: Orientation): boolean => o !== 1 && o !== 2;

export function uprightSize(width: number, height: number, o: Orientation): { width: number; height: number } {
  return swapsAxes(o) ? { width: height, height: width } : { width, height };
}

/**
 * Where upright pixel (ux, uy) lives in a stored width × height image, as an affine map:
 * (x0, y0) is the source of upright (0, 0); (dxu, dyu) the source step for ux + 1, (dxv, dyv)
 * for uy + 1. One table serves both the per-pixel function and the row copier.
 */
interface Affine {
  x0: number;
  y0: number;
  dxu: number;
  dyu: number;
  dxv: number;
  dyv: number;
}

function affine(o: Orientation, width: number, height: number): Affine {
  const r = width - 1;
  const b = height - 1;
  // prettier-ignore
  switch (o) {
    case 1: return { x0: 0, y0: 0, dxu: 1, dyu: 0, dxv: 0, dyv: 1 }; //   (ux, uy)
    case 2: return { x0: r, y0: 0, dxu: -1, dyu: 0, dxv: 0, dyv: 1 }; //  (W-1-ux, uy)
    case 3: return { x0: r, y0: b, dxu: -1, dyu: 0, dxv: 0, dyv: -1 }; // (W-1-ux, H-1-uy)
    case 4: return { x0: 0, y0: b, dxu: 1, dyu: 0, dxv: 0, dyv: -1 }; //  (ux, H-1-uy)
    case 5: return { x0: 0, y0: 0, dxu: 0, dyu: 1, dxv: 1, dyv: 0 }; //   (uy, ux)
    case 6: return { x0: 0, y0: b, dxu: 0, dyu: -1, dxv: 1, dyv: 0 }; //  (uy, H-1-ux)
    case 7: return { x0: r, y0: b, dxu: 0, dyu: -1, dxv: -1, dyv: 0 }; // (W-1-uy, H-1-ux)
    case 8: return { x0: r, y0: 0, dxu: 0, dyu: 1, dxv: -1, dyv: 0 }; //  (W-1-uy, ux)
    default: throw new RangeError(`orientation ${String(o)} is not 1–8`);
  }
}

/**
 * Maps an upright pixel to the stored pixel it shows. `width` and `height` are the STORED
 * dimensions; ux, uy range over `uprightSize(width, height, o)`.
 */
export function sourceIndex(o: Orientation, width: number, height: number): (ux: number, uy: number) => [number, number] {
  const { x0, y0, dxu, dyu, dxv, dyv } = affine(o, width, height);
  return (ux, uy) => [x0 + dxu * ux + dxv * uy, y0 + dyu * ux + dyv * uy];
}

function checkDimensions(width: number, height: number, channels: number): void {
  const ok = (n: number) => Number.isInteger(n) && n > 0;
  if (!ok(width) || !ok(height) || !ok(channels)) {
    throw new RangeError(`bad image shape ${width}×${height}×${channels}`);
  }
}

/**
 * Writes upright row `uy` of a whole stored image into `into` (`channels` bytes a pixel, from
 * offset 0). Along an upright row the source index moves by a constant step (±1 pixel for 1–4,
 * ±1 stored row for 5–8), so the inner loop is plain index arithmetic.
 */
export function uprightRow(o: Orientation, stored: StoredImage, uy: number, into: Uint8Array, channels = 4): void {
  const { width, height, pixels } = stored;
  checkDimensions(width, height, channels);
  if (pixels.length < width * height * channels) {
    throw new RangeError(`${pixels.length} bytes for a ${width}×${height}×${channels} image`);
  }
  const upright = uprightSize(width, height, o);
  if (!Number.isInteger(uy) || uy < 0 || uy >= upright.height) {
    throw new RangeError(`row ${uy} outside 0..${upright.height - 1}`);
  }
  const n = upright.width;
  if (into.length < n * channels) throw new RangeError(`row buffer of ${into.length} bytes, need ${n * channels}`);

  const { x0, y0, dxu, dyu, dxv, dyv } = affine(o, width, height);
  const first = (y0 + dyv * uy) * width + (x0 + dxv * uy); // source pixel of upright (0, uy)
  const step = (dyu * width + dxu) * channels; // source bytes per upright pixel
  let s = first * channels;
  if (step === channels) {
    into.set(pixels.subarray(s, s + n * channels)); // 1 and 4: a stored row as is
    return;
  }
  if (channels === 4) {
    for (let d = 0; d < n * 4; d += 4, s += step) {
      into[d] = pixels[s];
      into[d + 1] = pixels[s + 1];
      into[d + 2] = pixels[s + 2];
      into[d + 3] = pixels[s + 3];
    }
  } else if (channels === 3) {
    for (let d = 0; d < n * 3; d += 3, s += step) {
      into[d] = pixels[s];
      into[d + 1] = pixels[s + 1];
      into[d + 2] = pixels[s + 2];
    }
  } else {
    for (let d = 0; d < n * channels; d += channels, s += step) {
      for (let c = 0; c < channels; c++) into[d + c] = pixels[s + c];
    }
  }
}

/** Mirrors the first `width` pixels of a row left–right in place (orientation 2, streaming). */
export function mirrorRow(row: Uint8Array, width: number, channels = 4): void {
  if (!Number.isInteger(width) || width < 0 || !Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(`bad row shape ${width}×${channels}`);
  }
  if (row.length < width * channels) throw new RangeError(`row of ${row.length} bytes, need ${width * channels}`);
  for (let l = 0, r = (width - 1) * channels; l < r; l += channels, r -= channels) {
    for (let c = 0; c < channels; c++) {
      const t = row[l + c];
      row[l + c] = row[r + c];
      row[r + c] = t;
    }
  }
}
