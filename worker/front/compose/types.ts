/** The shapes every composition module works on. */

/**
 * A decoded photo: row-major RGBA, 4 bytes a pixel, straight (not premultiplied) alpha.
 * Structurally the same as the decoder's image, declared here so this folder stands alone.
 */
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
