/**
 * The picture shapes every part of the product shares. Pixels are row-major RGBA, 4 bytes a
 * pixel, straight (not premultiplied) alpha; masks are one byte a pixel, 255 = the object.
 */

/** A whole picture in memory: only ever a small one (a preview, a thumbnail, a test image). */
export interface RgbaImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** A pixel rectangle: `x0, y0` inclusive, `x1, y1` exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** An RGBA colour, each channel 0..255. */
export type Rgba = [r: number, g: number, b: number, a: number];

/** Rows `y0 .. y0 + rows` of a picture `width` wide: the unit the streaming pipeline works in. */
export interface Band {
  y0: number;
  rows: number;
  width: number;
  /** RGBA, `rows * width * 4` bytes. */
  pixels: Uint8Array;
}
