/**
 * Resampling for thumbnails and crops: bilinear when enlarging, area averaging when shrinking
 * (each output pixel the mean of the source area it covers, so no aliasing). Two separable
 * passes through one 8-bit intermediate; colours are weighted by alpha, so transparent pixels
 * do not darken the edges of a cutout. Rows stream through (`RowResizer`), so a picture of
 * any height is resized holding only the few rows its filter spans.
 */
import type { RowReader } from "../codecs/rows";
import type { RgbaImage } from "../image";

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

/** Resamples one RGBA row of `inW` pixels to `t.start.length` pixels. */
function resampleRow(src: Uint8Array, t: Taps, out: Uint8Array): void {
  const outW = t.start.length;
  for (let x = 0, p = 0; x < outW; x++, p += 4) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let k = 0, s = t.start[x] * 4, w = x * t.width; k < t.count[x]; k++, s += 4, w++) {
      const wa = t.weights[w] * src[s + 3];
      r += wa * src[s];
      g += wa * src[s + 1];
      b += wa * src[s + 2];
      a += wa;
    }
    store(out, p, r, g, b, a);
  }
}

/**
 * Resizes a picture whose rows arrive top to bottom: `push` each source row, and every output
 * row is handed to `emit` as soon as the rows it needs have arrived. The pass order is chosen
 * so the 8-bit intermediate is the narrower one, as a whole-image resize would; only as many
 * rows as the vertical filter spans are kept.
 */
export class RowResizer {
  private readonly horizontalFirst: boolean;
  private readonly h: Taps | null;
  private readonly v: Taps | null;
  /** Width of the rows the vertical pass combines. */
  private readonly midW: number;
  private readonly ring: Uint8Array[];
  private readonly acc: Float64Array;
  private readonly mid: Uint8Array;
  private readonly out: Uint8Array;
  private received = 0;
  private produced = 0;

  constructor(
    readonly inW: number,
    readonly inH: number,
    readonly outW: number,
    readonly outH: number,
    private readonly emit: (row: Uint8Array, y: number) => void,
  ) {
    this.horizontalFirst = outW * inH <= inW * outH;
    this.h = outW !== inW ? taps(inW, outW) : null;
    this.v = outH !== inH ? taps(inH, outH) : null;
    this.midW = this.horizontalFirst ? outW : inW;
    const span = this.v ? this.v.width : 1;
    this.ring = Array.from({ length: span }, () => new Uint8Array(this.midW * 4));
    this.acc = new Float64Array(this.midW * 4);
    this.mid = new Uint8Array(this.midW * 4);
    this.out = new Uint8Array(outW * 4);
  }

  /** Bytes this resizer holds (for the pipeline's ledger). */
  get bytes(): number {
    return (this.ring.length + 2) * this.midW * 4 + this.acc.byteLength + this.out.byteLength;
  }

  /** Takes the next source row (RGBA, `inW` pixels). */
  push(row: Uint8Array): void {
    const slot = this.ring[this.received % this.ring.length];
    if (this.horizontalFirst && this.h) resampleRow(row, this.h, slot);
    else slot.set(row.subarray(0, this.midW * 4));
    this.received++;
    while (this.produced < this.outH && this.ready(this.produced)) this.produce(this.produced++);
  }

  private ready(o: number): boolean {
    return this.v ? this.v.start[o] + this.v.count[o] <= this.received : o < this.received;
  }

  private produce(o: number): void {
    let row: Uint8Array;
    if (this.v) {
      const { acc, midW } = this;
      acc.fill(0);
      for (let k = 0; k < this.v.count[o]; k++) {
        const weight = this.v.weights[o * this.v.width + k];
        const src = this.ring[(this.v.start[o] + k) % this.ring.length];
        for (let s = 0; s < midW * 4; s += 4) {
          const wa = weight * src[s + 3];
          acc[s] += wa * src[s];
          acc[s + 1] += wa * src[s + 1];
          acc[s + 2] += wa * src[s + 2];
          acc[s + 3] += wa;
        }
      }
      for (let q = 0; q < midW * 4; q += 4) store(this.mid, q, acc[q], acc[q + 1], acc[q + 2], acc[q + 3]);
      row = this.mid;
    } else {
      row = this.ring[o % this.ring.length];
    }
    if (!this.horizontalFirst && this.h) {
      resampleRow(row, this.h, this.out);
      row = this.out;
    }
    this.emit(row, o);
  }
}

/**
 * A reader of `inner`'s rows resized to `width` × `height`. Output rows go straight into the
 * caller's buffer; only rows one source row makes beyond what was asked for wait in a queue.
 */
export function resizedReader(inner: RowReader, width: number, height: number): RowReader {
  const stride = width * 4;
  const input = new Uint8Array(inner.width * 4);
  const queued: Uint8Array[] = [];
  let target: Uint8Array | null = null;
  let filled = 0;
  let wanted = 0;
  const resizer = new RowResizer(inner.width, inner.height, width, height, (row) => {
    if (target && filled < wanted) target.set(row, filled++ * stride);
    else queued.push(row.slice());
  });
  let given = 0;
  return {
    width,
    height,
    read(into, rows) {
      wanted = Math.max(0, Math.min(rows, height - given));
      filled = 0;
      while (filled < wanted && queued.length) into.set(queued.shift()!, filled++ * stride);
      target = into;
      try {
        while (filled < wanted) {
          if (inner.read(input, 1) !== 1) throw new RangeError("the source ended early");
          resizer.push(input);
        }
      } finally {
        target = null;
      }
      given += filled;
      return filled;
    },
    skip(rows) {
      const scratch = new Uint8Array(stride);
      let n = 0;
      while (n < rows && this.read(scratch, 1) === 1) n++;
      return n;
    },
    close: () => inner.close(),
  };
}

/**
 * Resamples a whole image to exactly `width` × `height` into a new image.
 * @example const thumb = resizeImage(cropImage(photo, rect), 256, 256);
 */
export function resizeImage(image: RgbaImage, width: number, height: number): RgbaImage {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const { width: inW, height: inH, pixels } = image;
  if (inW === 0 || inH === 0) return { width: w, height: h, pixels: new Uint8Array(w * h * 4) };
  if (w === inW && h === inH) return { width: w, height: h, pixels: pixels.slice() };
  const out = new Uint8Array(w * h * 4);
  const resizer = new RowResizer(inW, inH, w, h, (row, y) => out.set(row, y * w * 4));
  for (let y = 0; y < inH; y++) resizer.push(pixels.subarray(y * inW * 4, (y + 1) * inW * 4));
  return { width: w, height: h, pixels: out };
}
