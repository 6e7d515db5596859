/**
 * From the model's output to a mask the size of the photo, as the authors made their masks:
 * min-max normalised, truncated to 8 bits, then resized with Pillow's BILINEAR filter (a
 * triangle filter whose support widens when shrinking, with 22-bit fixed-point weights and
 * a rounded 8-bit result after each pass, horizontal pass first).
 */

/** Normalises the raw output to 0..255 (truncating, like Pillow's F → L conversion). */
export function toMask8(output: Float32Array): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of output) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const mask = new Uint8Array(output.length);
  if (!(range > 0)) return mask; // a flat output carries no object
  for (let i = 0; i < output.length; i++) mask[i] = Math.trunc(((output[i] - min) / range) * 255);
  return mask;
}

const PRECISION_BITS = 32 - 8 - 2;

interface Kernel {
  /** First source index of each output position. */
  start: Int32Array;
  /** Number of taps of each output position. */
  count: Int32Array;
  /** `taps` fixed-point weights per output position. */
  weights: Int32Array;
  taps: number;
}

function kernel(inSize: number, outSize: number): Kernel {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear support is 1, widened when shrinking
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const w = new Float64Array(taps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const x = Math.abs((k + lo - center + 0.5) / filterScale);
      w[k] = x < 1 ? 1 - x : 0;
      sum += w[k];
    }
    for (let k = 0; k < n; k++) {
      const v = sum ? w[k] / sum : 0;
      weights[o * taps + k] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, taps };
}

const ROUND = 1 << (PRECISION_BITS - 1);
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * The mask at the photo's size, a row at a time, exactly as a whole-image `resizeMask` would
 * make it: the horizontal pass is done once for the network's rows (inH × outW bytes, 2.6 MB
 * for a 320-row mask 8192 px wide), and each output row is the vertical pass over the few
 * rows it spans. Any row can be asked for, in any order.
 */
export class MaskRows {
  private readonly rows: Uint8Array;
  private readonly vertical: Kernel | null;

  constructor(
    private readonly src: Uint8Array,
    readonly inW: number,
    readonly inH: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.rows = width === inW ? src : horizontalPass(src, inW, inH, width);
    this.vertical = height === inH ? null : kernel(inH, height);
  }

  /** Bytes held for the whole job. */
  get bytes(): number {
    return this.rows.byteLength;
  }

  /** The network's mask resized to another size (a preview's), the same way. */
  resized(width: number, height: number): Uint8Array {
    return resizeMask(this.src, this.inW, this.inH, width, height);
  }

  /** Writes rows `y0 .. y0 + count` into `into` (`count * width` bytes). */
  read(y0: number, count: number, into: Uint8Array): void {
    const { rows, width, vertical: k } = this;
    for (let r = 0; r < count; r++) {
      const y = y0 + r;
      const out = r * width;
      if (!k) {
        into.set(rows.subarray(y * width, (y + 1) * width), out);
        continue;
      }
      const base = y * k.taps;
      const first = k.start[y];
      const n = k.count[y];
      // Enlarging (the usual case) spans two or three rows: unrolled, it is several times faster.
      if (n === 2 || n === 3) {
        const r0 = (first) * width;
        const r1 = (first + 1) * width;
        const r2 = n === 3 ? (first + 2) * width : r1;
        const w0 = k.weights[base];
        const w1 = k.weights[base + 1];
        const w2 = n === 3 ? k.weights[base + 2] : 0;
        for (let x = 0; x < width; x++) {
          into[out + x] = clamp8((ROUND + rows[r0 + x] * w0 + rows[r1 + x] * w1 + rows[r2 + x] * w2) >> PRECISION_BITS);
        }
        continue;
      }
      for (let x = 0; x < width; x++) {
        let acc = ROUND;
        for (let t = 0; t < n; t++) acc += rows[(first + t) * width + x] * k.weights[base + t];
        into[out + x] = clamp8(acc >> PRECISION_BITS);
      }
    }
  }
}

function horizontalPass(src: Uint8Array, inW: number, inH: number, outW: number): Uint8Array {
  const k = kernel(inW, outW);
  const rows = new Uint8Array(outW * inH);
  for (let y = 0; y < inH; y++) {
    const line = y * inW;
    for (let x = 0; x < outW; x++) {
      let acc = ROUND;
      const base = x * k.taps;
      for (let t = 0, s = line + k.start[x]; t < k.count[x]; t++, s++) acc += src[s] * k.weights[base + t];
      rows[y * outW + x] = clamp8(acc >> PRECISION_BITS);
    }
  }
  return rows;
}

/**
 * Resizes a one-channel 8-bit image like Pillow's `resize(size, Image.BILINEAR)`.
 * @example const full = resizeMask(mask320, 320, 320, photo.width, photo.height);
 */
export function resizeMask(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  new MaskRows(src, inW, inH, outW, outH).read(0, outH, out);
  return out;
}
