/**
 * The authors' pre-processing, exactly: bilinear resampling to the model's square size with
 * no anti-aliasing (skimage `resize(order=1, mode="constant")`, samples beyond the edge are 0),
 * division by the resized image's maximum, then ImageNet mean/std, as planar float32 NCHW.
 * photon's resize anti-aliases, which moved masks by MAE 0.008, hence this loop.
 *
 * Each output row needs two source rows, so the photo streams through: rows between are
 * skipped (a JPEG skips them without its inverse DCT), and only two rows are ever held.
 */
import type { ModelSpec } from "./models";
import type { RowReader } from "./codecs/rows";
import type { RgbaImage } from "./image";
import { imageReader } from "./pipeline/sources";
import { TwoRows } from "./pipeline/two-rows";

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
 * Turns a photo's rows into the model's input tensor (alpha is ignored, as the authors'
 * loader reads RGB; grey images arrive with R = G = B). Closes the reader: the last rows are
 * often never needed, and an open pass keeps its decoder's memory.
 * @example const input = modelInput(source.open(), MODELS.u2netp); // Float32Array(3*320*320)
 */
export function modelInput(reader: RowReader, spec: ModelSpec): Float32Array {
  try {
    return sample(reader, spec);
  } finally {
    reader.close();
  }
}

function sample(reader: RowReader, spec: ModelSpec): Float32Array {
  const { width, height } = reader;
  const size = spec.size;
  const plane = size * size;
  const out = new Float32Array(3 * plane); // 1.2 MB at 320²: in the plan's fixed part
  const xs = taps(width, size);
  const ys = taps(height, size);
  const rows = new TwoRows(reader);
  const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);
  const col0 = new Int32Array(size);
  const col1 = new Int32Array(size);
  for (let ox = 0; ox < size; ox++) {
    col0[ox] = clampIndex(xs.index0[ox], width) * 4;
    col1[ox] = clampIndex(xs.index0[ox] + 1, width) * 4;
  }
  let max = 0;
  for (let oy = 0; oy < size; oy++) {
    const wy0 = ys.weight0[oy];
    const wy1 = ys.weight1[oy];
    const row0 = rows.row(clampIndex(ys.index0[oy], height));
    const row1 = rows.row(clampIndex(ys.index0[oy] + 1, height));
    for (let ox = 0; ox < size; ox++) {
      const wx0 = xs.weight0[ox];
      const wx1 = xs.weight1[ox];
      const c0 = col0[ox];
      const c1 = col1[ox];
      const at = oy * size + ox;
      for (let c = 0; c < 3; c++) {
        const v = (wy0 * (wx0 * row0[c0 + c] + wx1 * row0[c1 + c]) + wy1 * (wx0 * row1[c0 + c] + wx1 * row1[c1 + c])) / 255;
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

/** The same tensor from a whole image in memory. */
export function toModelInput(image: RgbaImage, spec: ModelSpec): Float32Array {
  return modelInput(imageReader(image), spec);
}
