/**
 * Feathering: softens a mask's edge with an approximately Gaussian blur, the same three-pass
 * box blur the compositing uses (running sums, so the cost does not grow with the radius).
 */
import { boxBlur } from "../compose/blur";

/**
 * Blurs the mask in place with a Gaussian of standard deviation `radius` pixels (like CSS
 * `blur()`); radius 0 leaves it unchanged. Edges repeat the border pixel, so a flat mask stays
 * flat. Scratch memory: a strip of columns, not a copy of the mask.
 * @example feather(mask, width, height, 2); // a 2 px soft edge after threshold()
 */
export function feather(mask: Uint8Array, width: number, height: number, radius: number): void {
  if (!(radius > 0) || width === 0 || height === 0) return;
  boxBlur(mask, width, height, 1, radius);
}
