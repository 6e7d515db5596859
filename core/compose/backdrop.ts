/**
 * The blurred background behind an object, for portrait mode and the blur highlight. The blur
 * weighs each pixel by how much it is background (1 − mask), so the object's colours do not
 * bleed into the blur as a halo around it; the weights ride in the alpha channel of the one
 * RGBA buffer this allocates.
 */
import { ApiError } from "../errors";
import { boxBlur } from "./blur";
import type { RgbaImage } from "../image";

/**
 * Returns an opaque RGBA buffer the photo's size: the background blurred with standard
 * deviation `sigma`, object pixels filled from the background around them. Where no
 * background is within reach (deep inside a large object) the photo's own pixel is used.
 * @example const behind = blurredBackdrop(photo, mask, 20);
 */
export function blurredBackdrop(image: RgbaImage, mask: Uint8Array, sigma: number): Uint8Array {
  const { width, height, pixels } = image;
  const out = new Uint8Array(width * height * 4);
  // Premultiply by the background weight; alpha holds the weight itself.
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    const weight = 255 - mask[i];
    const f = weight / 255;
    out[p] = (pixels[p] * f + 0.5) | 0;
    out[p + 1] = (pixels[p + 1] * f + 0.5) | 0;
    out[p + 2] = (pixels[p + 2] * f + 0.5) | 0;
    out[p + 3] = weight;
  }
  boxBlur(out, width, height, 4, sigma);
  for (let p = 0; p < out.length; p += 4) {
    const weight = out[p + 3];
    if (weight === 0) {
      out[p] = pixels[p];
      out[p + 1] = pixels[p + 1];
      out[p + 2] = pixels[p + 2];
    } else {
      const f = 255 / weight;
      out[p] = Math.min(255, (out[p] * f + 0.5) | 0);
      out[p + 1] = Math.min(255, (out[p + 1] * f + 0.5) | 0);
      out[p + 2] = Math.min(255, (out[p + 2] * f + 0.5) | 0);
    }
    out[p + 3] = 255;
  }
  return out;
}
