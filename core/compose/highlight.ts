/**
 * Draws the eye to the salient object by toning down everything else: the background dimmed,
 * drained of colour, or blurred. The object (mask = 255) is left exactly as it was.
 */
import { blurredBackdrop } from "./backdrop";
import type { RgbaImage } from "../image";

export type HighlightStyle = "dim" | "gray" | "blur";

/** Blur of the "blur" style, as a share of the shorter side: strong enough to read as such. */
const BLUR_SHARE = 1 / 60;

/**
 * Tones the background down in place by `strength · (1 − mask/255)`: `dim` toward black,
 * `gray` toward its luminance (Rec. 601 weights), `blur` toward a blur of the background
 * (standard deviation 1/60 of the shorter side; one RGBA scratch buffer). Alpha is kept.
 * Strength 0 leaves the image unchanged; strength is clamped to 0..1.
 * @example highlight(photo, mask, "gray", 1); // a colour object on a black-and-white scene
 */
export function highlight(image: RgbaImage, mask: Uint8Array, style: HighlightStyle, strength: number): void {
  const toward = style === "blur" ? blurredBackdrop(image, mask, highlightBlur(image.width, image.height)) : null;
  highlightRows(image.pixels, mask, style, strength, toward);
}

/** The blur's standard deviation for a `width` × `height` photo. */
export const highlightBlur = (width: number, height: number) => Math.max(1, Math.min(width, height) * BLUR_SHARE);

/** The same on a band of rows; `toward` is the blurred backdrop's same rows for the "blur" style. */
export function highlightRows(pixels: Uint8Array, mask: Uint8Array, style: HighlightStyle, strength: number, toward: Uint8Array | null): void {
  const s = Math.min(Math.max(strength, 0), 1) / 255;
  if (!(s > 0)) return; // also refuses NaN
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    if (mask[i] === 255) continue;
    const k = (255 - mask[i]) * s;
    const r = pixels[p];
    const g = pixels[p + 1];
    const b = pixels[p + 2];
    if (style === "dim") {
      const keep = 1 - k;
      pixels[p] = (r * keep + 0.5) | 0;
      pixels[p + 1] = (g * keep + 0.5) | 0;
      pixels[p + 2] = (b * keep + 0.5) | 0;
    } else if (style === "gray") {
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      pixels[p] = (r + (luma - r) * k + 0.5) | 0;
      pixels[p + 1] = (g + (luma - g) * k + 0.5) | 0;
      pixels[p + 2] = (b + (luma - b) * k + 0.5) | 0;
    } else if (toward) {
      pixels[p] = (r + (toward[p] - r) * k + 0.5) | 0;
      pixels[p + 1] = (g + (toward[p + 1] - g) * k + 0.5) | 0;
      pixels[p + 2] = (b + (toward[p + 2] - b) * k + 0.5) | 0;
    }
  }
}
