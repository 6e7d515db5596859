/**
 * New backgrounds behind the salient object: a colour, another image, or the photo blurred.
 * Each writes into the photo's pixels; the object's opacity is the mask times the photo's own
 * alpha, so a photo that already had transparency keeps it (as in `/remove`).
 */
import { blurredBackdrop } from "./backdrop";
import type { RgbaImage, Rgba } from "../image";

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
  const opaqueColor = color[3] === 255;
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    const m = mask[i];
    // Most pixels are wholly object or wholly background: those need no arithmetic (the
    // general formula gives exactly these values for them).
    if (pixels[p + 3] === 255 && (m === 255 || (m === 0 && opaqueColor))) {
      if (m === 0) {
        pixels[p] = r;
        pixels[p + 1] = g;
        pixels[p + 2] = b;
      }
      continue;
    }
    const alpha = (m * pixels[p + 3]) / 65025;
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

/** Rows of a background image, sampled in order (a stream) or at random (an image in memory). */
export interface BackgroundRows {
  width: number;
  height: number;
  /** Row `y` (RGBA); calls come with y never decreasing, except repeats of the last two. */
  row(y: number): Uint8Array;
}

/** Where each output row and column of a `width` × `height` picture samples a covering background. */
export interface CoverFit {
  xs: Axis;
  ys: Axis;
}

export function coverFit(width: number, height: number, bgWidth: number, bgHeight: number): CoverFit {
  if (bgWidth < 1 || bgHeight < 1) throw new RangeError("The background image is empty");
  // Source pixels per output pixel: the smaller, so the background covers both sides.
  const scale = Math.min(bgWidth / width, bgHeight / height);
  return { xs: coverAxis(width, bgWidth, scale, 4), ys: coverAxis(height, bgHeight, scale, 1) };
}

/**
 * Puts another image behind rows y0 .. y0 + rows of the object, in place: the background is
 * scaled to cover the photo and centre-cropped, sampled bilinearly on the fly (no resized
 * copy). The result is opaque; the background's own alpha is ignored. A much larger background
 * is point-sampled in effect (no area averaging), which is fine for a backdrop but can alias.
 */
export function coverBackgroundRows(pixels: Uint8Array, mask: Uint8Array, y0: number, rows: number, fit: CoverFit, background: BackgroundRows): void {
  const { xs, ys } = fit;
  const width = xs.first.length;
  for (let r = 0, i = 0, p = 0; r < rows; r++) {
    const y = y0 + r;
    const fy = ys.fraction[y];
    const source0 = background.row(ys.first[y]);
    const source1 = background.row(ys.second[y]);
    for (let x = 0; x < width; x++, i++, p += 4) {
      const alpha = (mask[i] * pixels[p + 3]) / 65025;
      pixels[p + 3] = 255;
      if (alpha === 1) continue;
      const a = xs.first[x];
      const b = xs.second[x];
      const fx = xs.fraction[x];
      for (let k = 0; k < 3; k++) {
        const top = source0[a + k] + (source0[b + k] - source0[a + k]) * fx;
        const bottom = source1[a + k] + (source1[b + k] - source1[a + k]) * fx;
        const behind = top + (bottom - top) * fy;
        pixels[p + k] = (pixels[p + k] * alpha + behind * (1 - alpha) + 0.5) | 0;
      }
    }
  }
}

/**
 * The same over a whole photo with a background in memory.
 * @example imageBackground(photo, mask, beach);
 */
export function imageBackground(image: RgbaImage, mask: Uint8Array, background: RgbaImage): void {
  const stride = background.width * 4;
  const rows: BackgroundRows = {
    width: background.width,
    height: background.height,
    row: (y) => background.pixels.subarray(y * stride, (y + 1) * stride),
  };
  coverBackgroundRows(image.pixels, mask, 0, image.height, coverFit(image.width, image.height, background.width, background.height), rows);
}

/**
 * Portrait mode, in place: the object stays sharp over the photo's own background blurred
 * with standard deviation `radius` pixels (three box passes; the object is left out of the
 * blur, so no halo). Opaque result. Scratch: one RGBA buffer the photo's size.
 * @example blurBackground(photo, mask, Math.min(photo.width, photo.height) / 50);
 */
export function blurBackground(image: RgbaImage, mask: Uint8Array, radius: number): void {
  overBackdrop(image.pixels, mask, blurredBackdrop(image, mask, radius));
}

/** Composites pixels (alpha = mask × own alpha) over an opaque backdrop of the same rows, in place. */
export function overBackdrop(pixels: Uint8Array, mask: Uint8Array, behind: Uint8Array): void {
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
