/**
 * An approximate Gaussian blur: three box blurs per axis with running sums, so the cost does
 * not grow with the radius. In place: a row is blurred from a copy of itself, and columns in
 * strips gathered into a small scratch, so the image is never copied whole.
 */

/** Columns gathered at a time for the vertical passes: contiguous columns, small scratch. */
const STRIP = 32;

/**
 * Box radii of three passes whose combined variance matches a Gaussian of `sigma`
 * (the widths differ by 2 so the match is close for any sigma).
 */
export function boxRadii(sigma: number): [number, number, number] {
  const variance = 12 * sigma * sigma;
  let lower = Math.floor(Math.sqrt(variance / 3 + 1));
  if (lower % 2 === 0) lower--;
  const wider = Math.round((variance - 3 * lower * lower - 12 * lower - 9) / (-4 * lower - 4));
  const radius = (i: number) => ((i < wider ? lower : lower + 2) - 1) / 2;
  return [radius(0), radius(1), radius(2)];
}

/**
 * Box-blurs `n` pixels of `channels` bytes each, contiguous in `line`, in place, once per
 * radius; edges repeat the end pixel. `copy` holds at least n × channels bytes.
 */
function blurLine(line: Uint8Array, n: number, channels: number, radii: readonly number[], copy: Uint8Array): void {
  const last = n - 1;
  for (const r of radii) {
    if (r < 1) continue;
    copy.set(line.subarray(0, n * channels));
    const scale = 1 / (2 * r + 1);
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += copy[(i < 0 ? 0 : i > last ? last : i) * channels + c];
      for (let x = 0, o = c; x < n; x++, o += channels) {
        line[o] = (sum * scale + 0.5) | 0;
        const enter = x + r + 1;
        const leave = x - r;
        sum += copy[(enter > last ? last : enter) * channels + c] - copy[(leave < 0 ? 0 : leave) * channels + c];
      }
    }
  }
}

/**
 * Blurs an image of `channels` bytes a pixel (1 for a mask, 4 for RGBA) in place with an
 * approximate Gaussian of standard deviation `sigma` pixels. Scratch: one row plus a strip
 * of STRIP columns (about 0.3 MB for a 2048-high RGBA image).
 * @example boxBlur(shadow, width, height, 1, 12);
 */
export function boxBlur(data: Uint8Array, width: number, height: number, channels: number, sigma: number): void {
  const radii = boxRadii(sigma);
  if (radii.every((r) => r < 1) || width === 0 || height === 0) return;
  const rowBytes = width * channels;
  const scratch = new Uint8Array(Math.max(rowBytes, height * channels));
  for (let y = 0; y < height; y++) blurLine(data.subarray(y * rowBytes, (y + 1) * rowBytes), width, channels, radii, scratch);

  // Columns: gather a strip so each column is contiguous, blur, scatter back.
  const strip = new Uint8Array(STRIP * height * channels);
  const columnBytes = height * channels;
  for (let x0 = 0; x0 < width; x0 += STRIP) {
    const columns = Math.min(STRIP, width - x0);
    for (let y = 0; y < height; y++) {
      for (let k = 0, s = (y * width + x0) * channels; k < columns; k++) {
        for (let c = 0, d = k * columnBytes + y * channels; c < channels; c++) strip[d + c] = data[s++];
      }
    }
    for (let k = 0; k < columns; k++) blurLine(strip.subarray(k * columnBytes, (k + 1) * columnBytes), height, channels, radii, scratch);
    for (let y = 0; y < height; y++) {
      for (let k = 0, d = (y * width + x0) * channels; k < columns; k++) {
        for (let c = 0, s = k * columnBytes + y * channels; c < channels; c++) data[d++] = strip[s + c];
      }
    }
  }
}
