/**
 * The authors' pre-processing, exactly: bilinear resampling to the model's square size with
 * no anti-aliasing (skimage `resize(order=1, mode="constant")`, samples beyond the edge are 0),
 * division by the resized image's maximum, then ImageNet mean/std, as planar float32 NCHW.
 * photon's resize anti-aliases, which moved masks by MAE 0.008, hence this loop.
 */
import type { ModelSpec } from "../../shared/models";
import type { RgbaImage } from "../image/decode";

interface Taps {
  index0: Int32Array;
  weight0: Float32Array;
  weight1: Float32Array;
}

/** Source taps for each output position; a tap outside the image gets weight 0 (constant mode). */
function taps(inSize: number, outSize: number): Taps {
  const index0 = new Int32Array(outSize);
  const weight0 = new Float32Array(outSize);
  const weight1 = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const position = (o + 0.5) * scale - 0.5;
    const i0 = Math.floor(position);
    const f = position - i0;
    index0[o] = i0;
    weight0[o] = i0 >= 0 ? 1 - f : 0;
    weight1[o] = i0 + 1 < inSize ? f : 0;
  }
  return { index0, weight0, weight1 };
}

/**
 * Turns a decoded RGBA image into the model's input tensor (alpha is ignored, as the authors'
 * loader reads RGB; grey images arrive with R = G = B).
 * @example const input = toModelInput(image, MODELS.u2netp); // Float32Array(3*320*320)
 */
export function toModelInput(image: RgbaImage, spec: ModelSpec): Float32Array {
  const { width, height, pixels } = image;
  const size = spec.size;
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const xs = taps(width, size);
  const ys = taps(height, size);
  const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);
  let max = 0;
  for (let oy = 0; oy < size; oy++) {
    const wy0 = ys.weight0[oy];
    const wy1 = ys.weight1[oy];
    const row0 = clampIndex(ys.index0[oy], height) * width * 4;
    const row1 = clampIndex(ys.index0[oy] + 1, height) * width * 4;
    for (let ox = 0; ox < size; ox++) {
      const wx0 = xs.weight0[ox];
      const wx1 = xs.weight1[ox];
      const col0 = clampIndex(xs.index0[ox], width) * 4;
      const col1 = clampIndex(xs.index0[ox] + 1, width) * 4;
      const at = oy * size + ox;
      for (let c = 0; c < 3; c++) {
        const v =
          (wy0 * (wx0 * pixels[row0 + col0 + c] + wx1 * pixels[row0 + col1 + c]) +
            wy1 * (wx0 * pixels[row1 + col0 + c] + wx1 * pixels[row1 + col1 + c])) /
          255;
        out[c * plane + at] = v;
        if (v > max) max = v;
      }
    }
  }
  const divisor = max > 0 ? max : 1;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c];
    const std = spec.std[c];
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = (out[i] / divisor - mean) / std;
  }
  return out;
}
