/**
 * Resampling for thumbnails and crops: bilinear when enlarging, area averaging when shrinking
 * (each output pixel the mean of the source area it covers, so no aliasing). Two separable
 * passes through one 8-bit intermediate; colours are weighted by alpha, so transparent pixels
 * do not darken the edges of a cutout.
 */
import type { RgbaImage } from "./types";

interface Taps {
  /** First source index of each output position. */
  start: Int32Array;
  /** Taps of each output position, at most `width`. */
  count: Int32Array;
  /** `width` weights per output position, summing to 1. */
  weights: Float64Array;
  width: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const width = scale > 1 ? Math.ceil(scale) + 1 : 2;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  for (let o = 0; o < outSize; o++) {
    const base = o * width;
    if (scale > 1) {
      // Area: the overlap of each source pixel [i, i + 1) with [lo, hi).
      const lo = o * scale;
      const hi = Math.min((o + 1) * scale, inSize);
      const first = Math.floor(lo);
      const n = Math.min(Math.ceil(hi), inSize) - first;
      for (let k = 0; k < n; k++) {
        const i = first + k;
        weights[base + k] = (Math.min(i + 1, hi) - Math.max(i, lo)) / (hi - lo);
      }
      start[o] = first;
      count[o] = n;
    } else {
      // Bilinear between the two nearest centres; the edges repeat.
      const position = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const first = Math.floor(position);
      const f = position - first;
      weights[base] = 1 - f;
      weights[base + 1] = f;
      start[o] = first;
      count[o] = first + 1 < inSize ? 2 : 1;
      if (count[o] === 1) weights[base] = 1;
    }
  }
  return { start, count, weights, width };
}

/** Writes alpha-weighted sums (Σ w·a·r, Σ w·a·g, Σ w·a·b, Σ w·a) as a straight-alpha pixel. */
function store(out: Uint8Array, p: number, r: number, g: number, b: number, a: number): void {
  if (a <= 0) {
    out[p] = out[p + 1] = out[p + 2] = out[p + 3] = 0;
    return;
  }
  out[p] = Math.min(255, (r / a + 0.5) | 0);
  out[p + 1] = Math.min(255, (g / a + 0.5) | 0);
  out[p + 2] = Math.min(255, (b / a + 0.5) | 0);
  out[p + 3] = Math.min(255, (a + 0.5) | 0);
}

/** Resamples each row: inW × height → outW × height. */
function horizontal(src: Uint8Array, inW: number, height: number, outW: number): Uint8Array {
  const t = taps(inW, outW);
  const out = new Uint8Array(outW * height * 4);
  for (let y = 0, p = 0; y < height; y++) {
    const row = y * inW;
    for (let x = 0; x < outW; x++, p += 4) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = 0, s = (row + t.start[x]) * 4, w = x * t.width; k < t.count[x]; k++, s += 4, w++) {
        const wa = t.weights[w] * src[s + 3];
        r += wa * src[s];
        g += wa * src[s + 1];
        b += wa * src[s + 2];
        a += wa;
      }
      store(out, p, r, g, b, a);
    }
  }
  return out;
}

/** Resamples each column, a row at a time so reads stay sequential: width × inH → width × outH. */
function vertical(src: Uint8Array, width: number, inH: number, outH: number): Uint8Array {
  const t = taps(inH, outH);
  const out = new Uint8Array(width * outH * 4);
  const acc = new Float64Array(width * 4);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    for (let k = 0; k < t.count[y]; k++) {
      const weight = t.weights[y * t.width + k];
      for (let x = 0, s = (t.start[y] + k) * width * 4, q = 0; x < width; x++, s += 4, q += 4) {
        const wa = weight * src[s + 3];
        acc[q] += wa * src[s];
        acc[q + 1] += wa * src[s + 1];
        acc[q + 2] += wa * src[s + 2];
        acc[q + 3] += wa;
      }
    }
    for (let x = 0, q = 0, p = y * width * 4; x < width; x++, q += 4, p += 4) store(out, p, acc[q], acc[q + 1], acc[q + 2], acc[q + 3]);
  }
  return out;
}

/**
 * Resamples an image to exactly `width` × `height` into a new image. The pass order is
 * chosen so the intermediate is the smaller of outW × inH and inW × outH pixels.
 * @example const thumb = resizeImage(cropImage(photo, rect), 256, 256);
 */
export function resizeImage(image: RgbaImage, width: number, height: number): RgbaImage {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const { width: inW, height: inH, pixels } = image;
  if (inW === 0 || inH === 0) return { width: w, height: h, pixels: new Uint8Array(w * h * 4) };
  if (w === inW && h === inH) return { width: w, height: h, pixels: pixels.slice() };
  let out = pixels;
  if (w * inH <= inW * h) {
    if (w !== inW) out = horizontal(out, inW, inH, w);
    if (h !== inH) out = vertical(out, w, inH, h);
  } else {
    if (h !== inH) out = vertical(out, inW, inH, h);
    if (w !== inW) out = horizontal(out, inW, h, w);
  }
  return { width: w, height: h, pixels: out };
}
