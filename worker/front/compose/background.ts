/**
 * New backgrounds behind the salient object: a colour, another image, or the photo blurred.
 * Each writes into the photo's pixels; the object's opacity is the mask times the photo's own
 * alpha, so a photo that already had transparency keeps it (as in `/remove`).
 */
import { blurredBackdrop } from "./backdrop";
import type { RgbaImage, Rgba } from "./types";

/**
 * Composites the photo over a solid colour with the mask as the photo's alpha, in place.
 * A translucent colour gives a translucent background: alpha = a + α·(1 − a), colours
 * weighted by their alphas (straight alpha in, straight alpha out).
 * @example fillBackground(photo, mask, parseColor("ffffff")!); // on white
 */
export function fillBackground(image: RgbaImage, mask: Uint8Array, color: Rgba): void {
  const { pixels } = image;
  const [r, g, b] = color;
  const under = color[3] / 255;
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    const alpha = (mask[i] * pixels[p + 3]) / 65025;
    const keep = under * (1 - alpha); // the colour's share, premultiplied
    const total = alpha + keep;
    if (total === 0) {
      // Both transparent: nothing shows; store the colour so no stale RGB lingers.
      pixels[p] = r;
      pixels[p + 1] = g;
      pixels[p + 2] = b;
      pixels[p + 3] = 0;
      continue;
    }
    const fa = alpha / total;
    const fb = keep / total;
    pixels[p] = (pixels[p] * fa + r * fb + 0.5) | 0;
    pixels[p + 1] = (pixels[p + 1] * fa + g * fb + 0.5) | 0;
    pixels[p + 2] = (pixels[p + 2] * fa + b * fb + 0.5) | 0;
    pixels[p + 3] = (total * 255 + 0.5) | 0;
  }
}

interface Axis {
  /** Byte offset of the first tap (index × stride). */
  first: Int32Array;
  /** Byte offset of the second tap. */
  second: Int32Array;
  /** Weight of the second tap. */
  fraction: Float32Array;
}

/** Bilinear taps along one axis for a cover fit: `scale` source pixels per output pixel, centred. */
function coverAxis(outSize: number, inSize: number, scale: number, stride: number): Axis {
  const first = new Int32Array(outSize);
  const second = new Int32Array(outSize);
  const fraction = new Float32Array(outSize);
  const offset = (inSize - outSize * scale) / 2; // the cropped-off part, half on each side
  for (let o = 0; o < outSize; o++) {
    const position = Math.min(Math.max(offset + (o + 0.5) * scale - 0.5, 0), inSize - 1);
    const i = Math.floor(position);
    first[o] = i * stride;
    second[o] = Math.min(i + 1, inSize - 1) * stride;
    fraction[o] = position - i;
  }
  return { first, second, fraction };
}

/**
 * Puts another image behind the object, in place: the background is scaled to cover the
 * photo and centre-cropped, sampled bilinearly on the fly (no resized copy). The result is
 * opaque; the background's own alpha is ignored. A much larger background is point-sampled
 * in effect (no area averaging), which is fine for a backdrop but can show aliasing.
 * @example imageBackground(photo, mask, beach);
 */
export function imageBackground(image: RgbaImage, mask: Uint8Array, background: RgbaImage): void {
  const { width, height, pixels } = image;
  const source = background.pixels;
  if (background.width < 1 || background.height < 1) throw new RangeError("The background image is empty");
  // Source pixels per output pixel: the smaller, so the background covers both sides.
  const scale = Math.min(background.width / width, background.height / height);
  const xs = coverAxis(width, background.width, scale, 4);
  const ys = coverAxis(height, background.height, scale, background.width * 4);
  for (let y = 0, i = 0, p = 0; y < height; y++) {
    const row0 = ys.first[y];
    const row1 = ys.second[y];
    const fy = ys.fraction[y];
    for (let x = 0; x < width; x++, i++, p += 4) {
      const alpha = (mask[i] * pixels[p + 3]) / 65025;
      pixels[p + 3] = 255;
      if (alpha === 1) continue;
      const a = row0 + xs.first[x];
      const b = row0 + xs.second[x];
      const c = row1 + xs.first[x];
      const d = row1 + xs.second[x];
      const fx = xs.fraction[x];
      for (let k = 0; k < 3; k++) {
        const top = source[a + k] + (source[b + k] - source[a + k]) * fx;
        const bottom = source[c + k] + (source[d + k] - source[c + k]) * fx;
        const behind = top + (bottom - top) * fy;
        pixels[p + k] = (pixels[p + k] * alpha + behind * (1 - alpha) + 0.5) | 0;
      }
    }
  }
}

/**
 * Portrait mode, in place: the object stays sharp over the photo's own background blurred
 * with standard deviation `radius` pixels (three box passes; the object is left out of the
 * blur, so no halo). Opaque result. Scratch: one RGBA buffer the photo's size.
 * @example blurBackground(photo, mask, Math.min(photo.width, photo.height) / 50);
 */
export function blurBackground(image: RgbaImage, mask: Uint8Array, radius: number): void {
  const { pixels } = image;
  const behind = blurredBackdrop(image, mask, radius);
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    const alpha = (mask[i] * pixels[p + 3]) / 65025;
    pixels[p + 3] = 255;
    if (alpha === 1) continue;
    const rest = 1 - alpha;
    pixels[p] = (pixels[p] * alpha + behind[p] * rest + 0.5) | 0;
    pixels[p + 1] = (pixels[p + 1] * alpha + behind[p + 1] * rest + 0.5) | 0;
    pixels[p + 2] = (pixels[p + 2] * alpha + behind[p + 2] * rest + 0.5) | 0;
  }
}
