/**
 * SSIM (Wang et al. 2004) on luma: an 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03,
 * L = 255, the mean of the SSIM map over the valid windows. Written for the bench from the
 * paper's definition; the product never measures quality.
 */

const RADIUS = 5;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

const WEIGHTS = (() => {
  const w = Array.from({ length: 2 * RADIUS + 1 }, (_, i) => Math.exp(-((i - RADIUS) ** 2) / (2 * SIGMA * SIGMA)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
})();

/** Gaussian blur, valid region only: (width − 10) × (height − 10). */
function blur(plane: Float32Array, width: number, height: number): Float32Array {
  const w1 = width - 2 * RADIUS;
  const h1 = height - 2 * RADIUS;
  const across = new Float32Array(w1 * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let k = 0; k <= 2 * RADIUS; k++) s += WEIGHTS[k] * plane[y * width + x + k];
      across[y * w1 + x] = s;
    }
  }
  const out = new Float32Array(w1 * h1);
  for (let y = 0; y < h1; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let k = 0; k <= 2 * RADIUS; k++) s += WEIGHTS[k] * across[(y + k) * w1 + x];
      out[y * w1 + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two luma planes of the same size (at least 11×11). */
export function ssim(a: Float32Array, b: Float32Array, width: number, height: number): number {
  const product = (f: (i: number) => number) => Float32Array.from({ length: a.length }, (_, i) => f(i));
  const muA = blur(a, width, height);
  const muB = blur(b, width, height);
  const aa = blur(product((i) => a[i] * a[i]), width, height);
  const bb = blur(product((i) => b[i] * b[i]), width, height);
  const ab = blur(product((i) => a[i] * b[i]), width, height);
  let sum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i];
    const mb = muB[i];
    const va = aa[i] - ma * ma;
    const vb = bb[i] - mb * mb;
    const cov = ab[i] - ma * mb;
    sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
  }
  return sum / muA.length;
}

/** Luma (BT.601) of straight-alpha RGBA composited over a grey level (mid-grey: 128). */
export function lumaOver(rgba: Uint8Array, grey = 128): Float32Array {
  const out = new Float32Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) {
    const a = rgba[i * 4 + 3] / 255;
    const y = 0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2];
    out[i] = y * a + grey * (1 - a);
  }
  return out;
}
