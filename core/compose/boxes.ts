/** Rectangle outlines drawn onto an image, e.g. to show where the object was found. */
import type { Box, RgbaImage, Rgba } from "../image";

export interface BoxOptions {
  /** Line colour; its alpha blends the line over the photo (default opaque magenta, rare in photos). */
  color?: Rgba;
  /** Line width in pixels, drawn inside the box (default max(2, round(shorter side / 250))). */
  thickness?: number;
}

const MAGENTA: Rgba = [255, 0, 255, 255];

/** Blends `color` over the pixels of [x0, x1) × [y0, y1), already clipped to the image. */
function fillRect(image: RgbaImage, x0: number, y0: number, x1: number, y1: number, color: Rgba): void {
  const { width, pixels } = image;
  const [r, g, b, a] = color;
  const over = a / 255;
  for (let y = y0; y < y1; y++) {
    for (let p = (y * width + x0) * 4, end = (y * width + x1) * 4; p < end; p += 4) {
      // Straight-alpha "over": the line's share first, then the photo's under it.
      const under = (pixels[p + 3] / 255) * (1 - over);
      const total = over + under;
      if (total === 0) continue;
      pixels[p] = ((r * over + pixels[p] * under) / total + 0.5) | 0;
      pixels[p + 1] = ((g * over + pixels[p + 1] * under) / total + 0.5) | 0;
      pixels[p + 2] = ((b * over + pixels[p + 2] * under) / total + 0.5) | 0;
      pixels[p + 3] = (total * 255 + 0.5) | 0;
    }
  }
}

/**
 * Draws each box's outline in place, `thickness` pixels wide inside its edges, clipped to the
 * image. The four sides never overlap, so a translucent colour is even all round.
 * @example drawBoxes(photo, [objectBox(mask, photo.width, photo.height)!]);
 */
export function drawBoxes(image: RgbaImage, boxes: readonly Box[], options: BoxOptions = {}): void {
  const { width, height } = image;
  const color = options.color ?? MAGENTA;
  const thickness = Math.max(1, Math.round(options.thickness ?? Math.max(2, Math.round(Math.min(width, height) / 250))));
  const clipX = (v: number) => Math.min(Math.max(Math.round(v), 0), width);
  const clipY = (v: number) => Math.min(Math.max(Math.round(v), 0), height);
  for (const box of boxes) {
    const x0 = Math.round(box.x0);
    const y0 = Math.round(box.y0);
    const x1 = Math.round(box.x1);
    const y1 = Math.round(box.y1);
    if (x1 <= x0 || y1 <= y0) continue;
    // Sides in unclipped coordinates, so a box partly outside loses its outside sides.
    const topEnd = Math.min(y0 + thickness, y1);
    const bottomStart = Math.max(y1 - thickness, topEnd);
    const leftEnd = Math.min(x0 + thickness, x1);
    const rightStart = Math.max(x1 - thickness, leftEnd);
    const rect = (ax: number, ay: number, bx: number, by: number) => {
      const [cx0, cy0, cx1, cy1] = [clipX(ax), clipY(ay), clipX(bx), clipY(by)];
      if (cx1 > cx0 && cy1 > cy0) fillRect(image, cx0, cy0, cx1, cy1, color);
    };
    rect(x0, y0, x1, topEnd);
    rect(x0, bottomStart, x1, y1);
    rect(x0, topEnd, leftEnd, bottomStart);
    rect(rightStart, topEnd, x1, bottomStart);
  }
}
