/**
 * A drop shadow for a cutout placed on a background: the mask, offset and blurred, darkens
 * what lies behind the object. Call it after the background is in place.
 */
import { boxBlur } from "./blur";
import type { RgbaImage } from "../image";

export interface ShadowOptions {
  /** Offset to the right in pixels (default 1.5% of the shorter side). */
  dx?: number;
  /** Offset downwards in pixels (default 1.5% of the shorter side). */
  dy?: number;
  /** Softness: the blur's standard deviation in pixels (default 2% of the shorter side). */
  blur?: number;
  /** Darkness where the shadow is full, 0..1 (default 0.45). */
  opacity?: number;
}

/**
 * Darkens the composed image under an offset, blurred copy of the mask, in place, only as
 * far as the object does not cover it (the shadow lies behind the object). On a transparent
 * background the shadow is added as translucent black. Scratch: one byte a pixel.
 * @example fillBackground(photo, mask, [255, 255, 255, 255]); dropShadow(photo, mask);
 */
export function dropShadow(image: RgbaImage, mask: Uint8Array, options: ShadowOptions = {}): void {
  const { width, height } = image;
  const shape = shadowShape(width, height, options);
  if (shape.opacity === 0) return;
  shadeRows(image.pixels, mask, shadowMask(mask, width, height, shape), shape.opacity);
}

/** The shadow's offset, softness and darkness for a `width` × `height` picture. */
export function shadowShape(width: number, height: number, options: ShadowOptions = {}): Required<ShadowOptions> {
  const side = Math.min(width, height);
  return {
    dx: Math.round(options.dx ?? side * 0.015),
    dy: Math.round(options.dy ?? side * 0.015),
    blur: options.blur ?? side * 0.02,
    opacity: Math.min(Math.max(options.opacity ?? 0.45, 0), 1),
  };
}

/** The mask shifted by (dx, dy) and blurred: what shifts in from outside is empty. One byte a pixel. */
export function shadowMask(mask: Uint8Array, width: number, height: number, shape: Required<ShadowOptions>): Uint8Array {
  const { dx, dy } = shape;
  const shadow = new Uint8Array(width * height);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(width, width + dx);
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    if (x1 <= x0) break;
    const from = (y - dy) * width + (x0 - dx);
    shadow.set(mask.subarray(from, from + (x1 - x0)), y * width + x0);
  }
  boxBlur(shadow, width, height, 1, shape.blur);
  return shadow;
}

/** Darkens rows under their shadow, only as far as the object does not cover them. */
export function shadeRows(pixels: Uint8Array, mask: Uint8Array, shadow: Uint8Array, opacity: number): void {
  const scale = opacity / (255 * 255);
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    if (shadow[i] === 0 || mask[i] === 255) continue;
    // The shadow's opacity here; the object's share of the pixel (mask) stays unshaded.
    const t = shadow[i] * (255 - mask[i]) * scale;
    // Black at opacity t over the pixel (straight-alpha "over"): opaque pixels just darken.
    const a = pixels[p + 3] / 255;
    const total = t + a * (1 - t);
    const f = (a * (1 - t)) / total;
    pixels[p] = (pixels[p] * f + 0.5) | 0;
    pixels[p + 1] = (pixels[p + 1] * f + 0.5) | 0;
    pixels[p + 2] = (pixels[p + 2] * f + 0.5) | 0;
    pixels[p + 3] = (total * 255 + 0.5) | 0;
  }
}
