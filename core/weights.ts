/**
 * Expansion of the edge model's packed weights into the fp32 external-data buffer that
 * onnxruntime-web reads at session creation (`externalData: [{ path, data }]`).
 *
 * The graph (`u2netp-edge.onnx`) keeps fp32 compute; only the stored bytes are small.
 * Pure TypeScript, no dependencies: runs in Cloudflare workerd and in Node (the segmenter worker
 * and the CLI, which writes the expanded buffer beside the graph for onnxruntime-node).
 */

/** Storage encoding of one tensor in the packed `.bin`. */
export type WeightEncoding = "int8" | "f16" | "f32";

/** One tensor of the packed weights (see models/build.py, `pack_weights`). */
export interface WeightTensor {
  /** Initializer name in the graph. */
  name: string;
  /** Byte offset of the tensor in the expanded fp32 buffer (64-byte aligned). */
  offset: number;
  /** Number of float32 elements. */
  count: number;
  /** Tensor shape (informative; `count` is the product). */
  shape?: number[];
  /** How the values are stored in the packed `.bin`. */
  encoding: WeightEncoding;
  /** Byte offset of the stored values in the `.bin` (int8, f16 or f32 data; 4-byte aligned). */
  dataOffset: number;
  /** int8 only: byte offset of `channels` float32 scales in the `.bin` (4-byte aligned). */
  scalesOffset?: number;
  /** int8 only: number of output channels (axis 0); each has `count / channels` values. */
  channels?: number;
}

/** The weight index (`u2netp-edge.weights.json`). */
export interface WeightIndex {
  /** Format tag, `u2netp-edge-weights/1`. */
  format: string;
  /** External-data file name the graph refers to; pass it as `externalData[].path`. */
  externalDataPath: string;
  /** Size in bytes of the expanded fp32 buffer. */
  f32Bytes: number;
  /** sha256 of the expanded buffer (hex), for tests. */
  f32Sha256?: string;
  tensors: WeightTensor[];
}

/**
 * Expands the packed weights into the fp32 external-data bytes.
 *
 * @param packed the `.bin` contents (ArrayBuffer or a view of one)
 * @param index the parsed `.weights.json`
 * @returns a new `Uint8Array` of `index.f32Bytes` bytes (little-endian float32 values,
 *   zero padding between tensors), to pass as `externalData: [{ path: index.externalDataPath, data }]`
 * @throws Error if the index and the packed bytes disagree
 */
export function expandWeights(packed: ArrayBuffer | Uint8Array, index: WeightIndex): Uint8Array {
  let src = packed instanceof Uint8Array ? packed : new Uint8Array(packed);
  // Typed-array views need aligned offsets; a misaligned view (rare) is copied once.
  if (src.byteOffset % 4 !== 0) src = src.slice();
  const srcBuf = src.buffer;
  const base = src.byteOffset;
  const len = src.byteLength;

  if (index.f32Bytes % 4 !== 0) throw new Error("weights: f32Bytes is not a multiple of 4");
  const out = new Uint8Array(index.f32Bytes);
  const dst = new Float32Array(out.buffer);
  const dstBits = new Uint32Array(out.buffer);

  for (const t of index.tensors) {
    const o = t.offset / 4;
    if (!Number.isInteger(o) || t.offset + t.count * 4 > index.f32Bytes) {
      throw new Error(`weights: bad offset for ${t.name}`);
    }
    switch (t.encoding) {
      case "f32": {
        check(t, t.dataOffset, t.count * 4, len);
        // Byte copy: no alignment requirement, little-endian on every target we run on.
        out.set(src.subarray(t.dataOffset, t.dataOffset + t.count * 4), t.offset);
        break;
      }
      case "f16": {
        check(t, t.dataOffset, t.count * 2, len);
        const h = new Uint16Array(srcBuf, base + t.dataOffset, t.count);
        for (let i = 0; i < t.count; i++) dstBits[o + i] = halfToFloatBits(h[i]);
        break;
      }
      case "int8": {
        const ch = t.channels ?? 0;
        if (ch <= 0 || t.count % ch !== 0 || t.scalesOffset === undefined) {
          throw new Error(`weights: bad int8 layout for ${t.name}`);
        }
        check(t, t.dataOffset, t.count, len);
        check(t, t.scalesOffset, ch * 4, len);
        const q = new Int8Array(srcBuf, base + t.dataOffset, t.count);
        const scales = new Float32Array(srcBuf, base + t.scalesOffset, ch);
        const per = t.count / ch;
        for (let c = 0, k = 0; c < ch; c++) {
          // q * s is exact in float64 and rounded once to float32 on store: the same
          // value numpy's float32 product gives, so the build can hash the result.
          const s = scales[c];
          const end = k + per;
          for (; k < end; k++) dst[o + k] = q[k] * s;
        }
        break;
      }
      default:
        throw new Error(`weights: unknown encoding ${(t as WeightTensor).encoding} for ${t.name}`);
    }
  }
  return out;
}

function check(t: WeightTensor, off: number, bytes: number, len: number): void {
  if (!(off >= 0) || off + bytes > len) throw new Error(`weights: ${t.name} is outside the packed data`);
}

/** IEEE half -> float32 bit pattern (handles subnormals, inf and NaN) without allocation. */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let man = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (man << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (man << 13)) >>> 0;
  if (man === 0) return sign >>> 0;
  // Subnormal half: normalise the mantissa.
  let e = 113;
  while ((man & 0x400) === 0) {
    man <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((man & 0x3ff) << 13)) >>> 0;
}
