/**
 * Feathering: softens a mask's edge with an approximately Gaussian blur, built from three box
 * blurs (running sums, so the cost does not grow with the radius), rows then columns.
 */

/** Lines blurred together: columns are gathered a tile at a time so reads stay cache-friendly. */
const TILE = 16;

/**
 * Blurs the mask in place with a Gaussian of standard deviation `radius` pixels (like CSS
 * `blur()`); radius 0 leaves it unchanged. Edges repeat the border pixel, so a flat mask stays
 * flat. Scratch memory: two tiles of 16 lines as Float32 (≈ 256 KB at 2048 px), whatever the size.
 * @example feather(mask, width, height, 2); // a 2 px soft edge after threshold()
 */
export function feather(mask: Uint8Array, width: number, height: number, radius: number): void {
  const radii = boxRadii(radius);
  if (radii.length === 0 || width === 0 || height === 0) return;
  const tile = new Float32Array(TILE * Math.max(width, height));
  const spare = new Float32Array(TILE * Math.max(width, height));

  for (let y0 = 0; y0 < height; y0 += TILE) {
    const lines = Math.min(TILE, height - y0);
    for (let i = 0; i < lines * width; i++) tile[i] = mask[y0 * width + i];
    const out = blurLines(tile, spare, lines, width, radii);
    for (let i = 0; i < lines * width; i++) mask[y0 * width + i] = Math.round(out[i]);
  }
  for (let x0 = 0; x0 < width; x0 += TILE) {
    const lines = Math.min(TILE, width - x0);
    // Transposed into the tile: column c is tile[c * height .. (c + 1) * height).
    for (let y = 0; y < height; y++) {
      for (let c = 0; c < lines; c++) tile[c * height + y] = mask[y * width + x0 + c];
    }
    const out = blurLines(tile, spare, lines, height, radii);
    for (let y = 0; y < height; y++) {
      for (let c = 0; c < lines; c++) mask[y * width + x0 + c] = Math.round(out[c * height + y]);
    }
  }
}

/**
 * Box radii whose three passes add up to a Gaussian of standard deviation `sigma`: a box of
 * width w has variance (w² − 1) / 12, so widths are picked around √(4σ² + 1), mixing the two
 * nearest odd widths to hit the variance (zero-radius passes are left out).
 */
export function boxRadii(sigma: number): number[] {
  if (!(sigma > 0)) return [];
  const ideal = Math.sqrt(4 * sigma * sigma + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const upper = lower + 2;
  // How many passes take the lower width so the variances sum to 3·(w² − 1)/12 = σ².
  const m = Math.round((12 * sigma * sigma - 3 * lower * lower - 12 * lower - 9) / (-4 * lower - 4));
  const radii: number[] = [];
  for (let i = 0; i < 3; i++) radii.push(((i < m ? lower : upper) - 1) / 2);
  return radii.filter((r) => r > 0);
}

/** Runs every box pass over `lines` lines of `length`; returns the buffer holding the result. */
function blurLines(data: Float32Array, spare: Float32Array, lines: number, length: number, radii: number[]) {
  let src = data;
  let dst = spare;
  for (const r of radii) {
    for (let l = 0; l < lines; l++) box(src, dst, l * length, length, r);
    [src, dst] = [dst, src];
  }
  return src;
}

/** One box blur of radius r over src[at .. at + n), clamping to the line's ends, into dst. */
function box(src: Float32Array, dst: Float32Array, at: number, n: number, r: number): void {
  const last = at + n - 1;
  const scale = 1 / (2 * r + 1);
  // The running sum stays a double: only the stored values are single precision.
  let sum = (r + 1) * src[at];
  for (let k = 1; k <= r; k++) sum += src[Math.min(at + k, last)];
  for (let i = at; i <= last; i++) {
    dst[i] = sum * scale;
    sum += src[Math.min(i + r + 1, last)] - src[Math.max(i - r, at)];
  }
}
