/**
 * Where a photo's rows come from. A source is opened once per pass (the pipeline reads a
 * photo twice or three times rather than holding it): each pass decodes again from the file.
 * Rows always come upright, as a browser shows the photo (EXIF orientation applied).
 */
import type { RowReader } from "../codecs/rows";
import type { RgbaImage } from "../image";
import { flipsRows, mirrorRow, uprightRow, uprightSize, type Orientation } from "../image/orientation";
import { resizedReader } from "../compose/resize";
import type { Ledger } from "./ledger";

export interface ImageSource {
  /** Upright size. */
  readonly width: number;
  readonly height: number;
  /** True when the file has no alpha channel, so every result pixel it gives is opaque. */
  readonly opaque: boolean;
  /**
   * Starts a pass over the upright rows at full size; given `atLeast`, the pass may deliver
   * smaller rows (a JPEG's DCT scaling), never smaller than that.
   */
  open(atLeast?: { width: number; height: number }): RowReader;
}

/** Rows of an image held in memory. */
export function imageReader(image: RgbaImage): RowReader {
  const { width, height, pixels } = image;
  const stride = width * 4;
  let next = 0;
  return {
    width,
    height,
    read(into, rows) {
      const n = Math.max(0, Math.min(rows, height - next));
      into.set(pixels.subarray(next * stride, (next + n) * stride));
      next += n;
      return n;
    },
    skip(rows) {
      const n = Math.max(0, Math.min(rows, height - next));
      next += n;
      return n;
    },
    close() {},
  };
}

/** A source over an image in memory (a background, a WebP decoded whole, a test picture). */
export function imageSource(image: RgbaImage, opaque = false): ImageSource {
  return { width: image.width, height: image.height, opaque, open: () => imageReader(image) };
}

/** A source whose passes a codec decodes, `scales` being the DCT scale denominators it offers. */
export function decodedSource(
  width: number,
  height: number,
  opaque: boolean,
  decode: (scale: number) => RowReader,
  scales: readonly number[] = [1],
): ImageSource {
  return {
    width,
    height,
    opaque,
    open(atLeast) {
      // The largest reduction whose rows are still at least the size asked for.
      let scale = 1;
      for (const s of scales) {
        if (atLeast && Math.ceil(width / s) >= atLeast.width && Math.ceil(height / s) >= atLeast.height) scale = Math.max(scale, s);
      }
      return decode(scale);
    },
  };
}

/** Rows mirrored left to right as they stream (EXIF orientation 2). */
function mirrored(source: ImageSource): ImageSource {
  return {
    ...source,
    open(atLeast) {
      const reader = source.open(atLeast);
      return {
        width: reader.width,
        height: reader.height,
        read(into, rows) {
          const n = reader.read(into, rows);
          for (let r = 0; r < n; r++) mirrorRow(into.subarray(r * reader.width * 4, (r + 1) * reader.width * 4), reader.width);
          return n;
        },
        skip: (rows) => reader.skip(rows),
        close: () => reader.close(),
      };
    },
  };
}

/**
 * The stored picture decoded once into memory, then read upright: rotations and vertical flips
 * need the last stored row (or a whole column) for the first upright row. Opaque photos are
 * kept as RGB, 3 bytes a pixel. The buffer lives until the ledger's job ends.
 */
function buffered(source: ImageSource, orientation: Orientation, ledger: Ledger): ImageSource {
  const channels = source.opaque ? 3 : 4;
  const size = uprightSize(source.width, source.height, orientation);
  let stored: Uint8Array | undefined;
  const fill = (): Uint8Array => {
    const pixels = ledger.bytes(source.width * source.height * channels);
    const reader = source.open();
    const row = ledger.bytes(source.width * 4);
    for (let y = 0; y < source.height; y++) {
      if (reader.read(row, 1) !== 1) throw new RangeError("the photo ended early");
      if (channels === 4) pixels.set(row, y * source.width * 4);
      else for (let x = 0, s = 0, d = y * source.width * 3; x < source.width; x++, s += 4, d += 3) {
        pixels[d] = row[s];
        pixels[d + 1] = row[s + 1];
        pixels[d + 2] = row[s + 2];
      }
    }
    reader.close();
    ledger.release(row);
    return pixels;
  };
  return {
    width: size.width,
    height: size.height,
    opaque: source.opaque,
    open() {
      stored ??= fill();
      const image = { width: source.width, height: source.height, pixels: stored };
      const line = new Uint8Array(size.width * channels);
      let next = 0;
      const produce = (into: Uint8Array, at: number) => {
        uprightRow(orientation, image, next, channels === 4 ? into.subarray(at) : line, channels);
        if (channels === 3) for (let x = 0, s = 0, d = at; x < size.width; x++, s += 3, d += 4) {
          into[d] = line[s];
          into[d + 1] = line[s + 1];
          into[d + 2] = line[s + 2];
          into[d + 3] = 255;
        }
      };
      return {
        width: size.width,
        height: size.height,
        read(into, rows) {
          const n = Math.max(0, Math.min(rows, size.height - next));
          for (let r = 0; r < n; r++, next++) produce(into, r * size.width * 4);
          return n;
        },
        skip(rows) {
          const n = Math.max(0, Math.min(rows, size.height - next));
          next += n;
          return n;
        },
        close() {},
      };
    },
  };
}

/** Bytes a pipeline holds to turn a photo upright (0 when it can stream). */
export function uprightBufferBytes(width: number, height: number, opaque: boolean, orientation: Orientation): number {
  return flipsRows(orientation) ? width * height * (opaque ? 3 : 4) : 0;
}

/** The photo upright, as EXIF orientation says a browser shows it. */
export function upright(source: ImageSource, orientation: Orientation, ledger: Ledger): ImageSource {
  if (orientation === 1) return source;
  if (orientation === 2) return mirrored(source);
  return buffered(source, orientation, ledger);
}

/** The photo scaled to `width` × `height` as its rows stream (`max_side=`). */
export function resized(source: ImageSource, width: number, height: number): ImageSource {
  if (width === source.width && height === source.height) return source;
  return {
    width,
    height,
    opaque: source.opaque,
    open: () => resizedReader(source.open(), width, height),
  };
}
