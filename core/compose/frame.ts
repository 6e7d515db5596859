/**
 * Framing the object: its box, a margin around it, a rectangle of a wanted aspect ratio that
 * holds it, and cutting that rectangle out. Boxes are integer pixels, x1 and y1 exclusive.
 */
import type { Box, RgbaImage } from "../image";

/**
 * The tight box of all mask pixels at or above `level`, or null when there are none.
 * @example objectBox(mask, photo.width, photo.height) // { x0: 120, y0: 40, x1: 380, y1: 460 }
 */
export function objectBox(mask: Uint8Array, width: number, height: number, level = 128): Box | null {
  let x0 = width;
  let x1 = 0;
  let y0 = height;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] >= level) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    // Only the part of the row outside the box so far can widen it.
    let last = first;
    for (let x = width - 1; x > Math.max(first, x1 - 1); x--) {
      if (mask[row + x] >= level) {
        last = x;
        break;
      }
    }
    if (first < x0) x0 = first;
    if (last + 1 > x1) x1 = last + 1;
    if (y < y0) y0 = y;
    y1 = y + 1;
  }
  return y1 > 0 ? { x0, y0, x1, y1 } : null;
}

export type Margin = { px: number } | { percent: number };

const clampBox = (box: Box, width: number, height: number): Box => ({
  x0: Math.min(Math.max(box.x0, 0), width),
  y0: Math.min(Math.max(box.y0, 0), height),
  x1: Math.min(Math.max(box.x1, 0), width),
  y1: Math.min(Math.max(box.y1, 0), height),
});

/**
 * Grows the box on every side by `px` pixels, or by `percent` of the box's own width
 * (left, right) and height (top, bottom), rounded, clamped to the image.
 * @example marginBox(box, w, h, { percent: 10 }) // a 200-wide box gains 20 px each side
 */
export function marginBox(box: Box, width: number, height: number, margin: Margin): Box {
  const mx = "px" in margin ? margin.px : ((box.x1 - box.x0) * margin.percent) / 100;
  const my = "px" in margin ? margin.px : ((box.y1 - box.y0) * margin.percent) / 100;
  const dx = Math.round(mx);
  const dy = Math.round(my);
  return clampBox({ x0: box.x0 - dx, y0: box.y0 - dy, x1: box.x1 + dx, y1: box.y1 + dy }, width, height);
}

/**
 * The source rectangle of aspect targetW:targetH to resize into a targetW × targetH picture
 * of the object: the smallest that holds the whole box, centred on it and shifted (never
 * shrunk) to stay inside the image. When no such rectangle fits in the image, the largest
 * one of that aspect that does, as centred on the box as the image allows. Integer pixels;
 * the aspect is exact up to rounding one side to a whole pixel.
 * @example const rect = fitBox(box, w, h, 256, 256); resizeImage(cropImage(photo, rect), 256, 256);
 */
export function fitBox(box: Box, width: number, height: number, targetW: number, targetH: number): Box {
  const inside = clampBox(box, width, height);
  const aspect = targetW / targetH;
  const boxW = Math.max(1, inside.x1 - inside.x0);
  const boxH = Math.max(1, inside.y1 - inside.y0);
  // The exact (real) size first, then whole pixels: each side is off by less than one.
  let exactW = Math.max(boxW, boxH * aspect);
  let w: number;
  let h: number;
  if (exactW <= width && exactW / aspect <= height) {
    // Rounding up keeps the box inside; the image caps it (the box is within the image).
    w = Math.min(width, Math.ceil(exactW - 1e-9));
    h = Math.min(height, Math.ceil(exactW / aspect - 1e-9));
  } else {
    exactW = Math.min(width, height * aspect);
    w = Math.min(width, Math.max(1, Math.round(exactW)));
    h = Math.min(height, Math.max(1, Math.round(exactW / aspect)));
  }
  const place = (center: number, size: number, room: number) =>
    Math.min(Math.max(Math.round(center - size / 2), 0), room - size);
  const x0 = place((inside.x0 + inside.x1) / 2, w, width);
  const y0 = place((inside.y0 + inside.y1) / 2, h, height);
  return { x0, y0, x1: x0 + w, y1: y0 + h };
}

/**
 * Copies a rectangle (clamped to the image) into a new image.
 * @example const thumb = cropImage(photo, { x0: 10, y0: 10, x1: 110, y1: 60 }); // 100 × 50
 */
export function cropImage(image: RgbaImage, rect: Box): RgbaImage {
  const { x0, y0, x1, y1 } = clampBox(rect, image.width, image.height);
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * image.width + x0) * 4;
    pixels.set(image.pixels.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, pixels };
}
