/**
 * Edge-aware mask refinement with the fast guided filter (He & Sun, "Fast Guided Filter",
 * 2015). Within each window the output is a linear function of the guide, q = a·I + b, fitted
 * to the mask by least squares: where the photo has an edge the mask's soft ramp is pulled
 * onto it, where the photo is flat the mask is only smoothed. The coefficients vary slowly, so
 * they are fitted on a subsampled image and only the final q = a·I + b is evaluated at full
 * resolution, against the full-resolution guide: the edges come from the photo, not the grid.
 */

export interface GuidedOptions {
  /** Window radius in full-resolution pixels, rounded to whole cells (at least one). Default: one cell. */
  radius?: number;
  /** Regularisation (guide and mask on a 0..1 scale). Default 1e-4. */
  eps?: number;
  /** Cell side, in pixels, at which the coefficients are fitted. Default: three network pixels, at least 2. */
  subsample?: number;
}

// Rec. 601 luma on a 0..1 scale.
const LUMA_R = 0.299 / 255;
const LUMA_G = 0.587 / 255;
const LUMA_B = 0.114 / 255;

/**
 * Refines a mask in place so its edges follow the photo's, using the photo's luminance as the
 * guide.
 *
 * Defaults, for a mask upsampled from the network's 320 px. The coefficients are fitted on
 * cells of three network pixels (`subsample` = max(2, round(3 · max(w, h) / 320)), 19 at
 * 2048 px) with windows of one cell (`radius` = `subsample`): the mask carries no detail much
 * finer than that, and the photo's own detail comes back through a·I at full resolution. On
 * synthetic scenes (a 320 px mask, blurred or shifted, over a sharp, noisy edge) cells of
 * 1–2 network pixels or wider windows left more error; 4 pixels did slightly better still
 * but was judged too coarse for thin limbs. eps above 1e-4 also left more error; 1e-4 still
 * treats contrast below about √eps ≈ 2.5/255 (sensor noise) as flat.
 *
 * Memory: four Float32 planes at the subsampled size, 16 / s² bytes per pixel (≈ 190 KB at
 * 2048 × 2048 with the defaults; 4 B/px at s = 2, the smallest default), plus a few lines.
 * The full-resolution guide is never stored: luminance is read from `rgba` when needed.
 *
 * Limits: colours of equal luminance look alike to the guide; alpha in `rgba` is ignored.
 * The work splits in three so a streaming pipeline can feed it bands of rows: `add` every
 * row (photo and mask), `solve`, then `apply` to every row.
 * @example guidedRefine(mask, photo.rgba, photo.width, photo.height);
 */
export function guidedRefine(
  mask: Uint8Array,
  rgba: Uint8Array,
  width: number,
  height: number,
  options: GuidedOptions = {},
): void {
  if (width === 0 || height === 0) return;
  const guided = new GuidedFilter(width, height, options);
  guided.add(0, height, rgba, mask);
  guided.solve();
  guided.apply(0, height, rgba, mask);
}

/** The guided filter fitted on cells, fed and applied a band of rows at a time. */
export class GuidedFilter {
  private readonly s: number;
  private readonly r: number;
  private readonly eps: number;
  private readonly w: number;
  private readonly h: number;
  private readonly meanI: Float32Array;
  private readonly meanP: Float32Array;
  private a: Float32Array | undefined;
  private b: Float32Array | undefined;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly fx: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    options: GuidedOptions = {},
  ) {
    this.s = Math.max(1, Math.round(options.subsample ?? Math.max(2, Math.round((3 * Math.max(width, height)) / 320))));
    this.r = Math.max(1, Math.round((options.radius ?? this.s) / this.s));
    this.eps = options.eps ?? 1e-4;
    this.w = Math.ceil(width / this.s);
    this.h = Math.ceil(height / this.s);
    this.meanI = new Float32Array(this.w * this.h);
    this.meanP = new Float32Array(this.w * this.h);
    // Per column: left cell, right cell, and the right one's weight.
    this.left = new Int32Array(width);
    this.right = new Int32Array(width);
    this.fx = new Float32Array(width);
    for (let x = 0; x < width; x++) [this.left[x], this.right[x], this.fx[x]] = between((x + 0.5) / this.s - 0.5, this.w);
  }

  /** Bytes of the cell planes and column tables (the ledger counts them). */
  get bytes(): number {
    return this.w * this.h * 16 + this.width * 12;
  }

  /** Area-sums the guide's luminance and the mask (0..1) of rows y0 .. y0 + rows into their cells. */
  add(y0: number, rows: number, rgba: Uint8Array, mask: Uint8Array): void {
    const { width, s, w, meanI: guide, meanP: input } = this;
    for (let r = 0; r < rows; r++) {
      const y = y0 + r;
      const row = Math.floor(y / s) * w;
      for (let cx = 0, x = 0; x < width; cx++) {
        const end = Math.min(x + s, width);
        let g = 0;
        let p = 0;
        for (; x < end; x++) {
          const i = r * width + x;
          g += LUMA_R * rgba[4 * i] + LUMA_G * rgba[4 * i + 1] + LUMA_B * rgba[4 * i + 2];
          p += mask[i];
        }
        guide[row + cx] += g;
        input[row + cx] += p / 255;
      }
    }
  }

  /** Fits the coefficients once every row has been added. */
  solve(): void {
    const { width, height, s, w, h, r, eps, meanI, meanP } = this;
    // Border cells may be partial: divide by the pixels each one really holds.
    for (let cy = 0; cy < h; cy++) {
      const rows = Math.min(s, height - cy * s);
      for (let cx = 0; cx < w; cx++) {
        const n = rows * Math.min(s, width - cx * s);
        meanI[cy * w + cx] /= n;
        meanP[cy * w + cx] /= n;
      }
    }
    const corrII = new Float32Array(w * h);
    const corrIP = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      corrII[i] = meanI[i] * meanI[i];
      corrIP[i] = meanI[i] * meanP[i];
    }
    const line = new Float64Array(Math.max(w, h) + 1);
    for (const plane of [meanI, meanP, corrII, corrIP]) boxMean(plane, w, h, r, line);
    // The coefficients overwrite the correlations, which are not needed again.
    const a = corrII;
    const b = corrIP;
    for (let i = 0; i < w * h; i++) {
      const variance = corrII[i] - meanI[i] * meanI[i];
      const covariance = corrIP[i] - meanI[i] * meanP[i];
      const ai = covariance / (variance + eps);
      a[i] = ai;
      b[i] = meanP[i] - ai * meanI[i];
    }
    // Each pixel lies in many windows: average their coefficients.
    boxMean(a, w, h, r, line);
    boxMean(b, w, h, r, line);
    this.a = a;
    this.b = b;
  }

  /**
   * Evaluates q = a·I + b for rows y0 .. y0 + rows, a and b interpolated bilinearly between the
   * centres of the cells, I read from the photo; writes q (0..255) into the mask band.
   */
  apply(y0: number, rows: number, rgba: Uint8Array, mask: Uint8Array): void {
    const { a, b, width, s, w, h, left, right, fx } = this;
    if (!a || !b) throw new Error("GuidedFilter.apply before solve");
    const rowA = new Float32Array(w);
    const rowB = new Float32Array(w);
    for (let r = 0; r < rows; r++) {
      // Rows are interpolated once per output row, then columns per pixel.
      const [top, bottom, fy] = between((y0 + r + 0.5) / s - 0.5, h);
      for (let cx = 0; cx < w; cx++) {
        rowA[cx] = a[top * w + cx] + (a[bottom * w + cx] - a[top * w + cx]) * fy;
        rowB[cx] = b[top * w + cx] + (b[bottom * w + cx] - b[top * w + cx]) * fy;
      }
      for (let x = 0; x < width; x++) {
        const i = r * width + x;
        const f = fx[x];
        const ax = rowA[left[x]] + (rowA[right[x]] - rowA[left[x]]) * f;
        const bx = rowB[left[x]] + (rowB[right[x]] - rowB[left[x]]) * f;
        const luma = LUMA_R * rgba[4 * i] + LUMA_G * rgba[4 * i + 1] + LUMA_B * rgba[4 * i + 2];
        const q = Math.round((ax * luma + bx) * 255);
        mask[i] = q < 0 ? 0 : q > 255 ? 255 : q;
      }
    }
  }
}

/**
 * Replaces a w × h plane by its mean over (2r + 1)² windows clipped to the image (each mean
 * divides by the pixels actually inside), rows then columns, through prefix sums on one line.
 */
function boxMean(plane: Float32Array, w: number, h: number, r: number, line: Float64Array): void {
  const pass = (start: number, step: number, n: number) => {
    line[0] = 0;
    for (let k = 0; k < n; k++) line[k + 1] = line[k] + plane[start + k * step];
    for (let k = 0; k < n; k++) {
      const lo = Math.max(0, k - r);
      const hi = Math.min(n, k + r + 1);
      plane[start + k * step] = (line[hi] - line[lo]) / (hi - lo);
    }
  };
  for (let y = 0; y < h; y++) pass(y * w, 1, w);
  for (let x = 0; x < w; x++) pass(x, w, h);
}

/** The two cells around position u of a line of n cells, and the weight of the second. */
function between(u: number, n: number): [number, number, number] {
  if (u <= 0) return [0, 0, 0];
  if (u >= n - 1) return [n - 1, n - 1, 0];
  const i = Math.floor(u);
  return [i, i + 1, u - i];
}
