/**
 * Open Inference Protocol v2 (KServe v2 / Triton) with the binary tensor extension.
 *
 * One codec for both ends: the front worker encodes requests and decodes responses, the
 * segmenter worker does the reverse, and a GPU Triton server speaks the same bytes.
 * Body layout: a JSON header of `Inference-Header-Content-Length` bytes, then the raw
 * little-endian tensor bytes, in the order the header lists them.
 */

export const HEADER_LENGTH = "Inference-Header-Content-Length";

export type Datatype = "FP32" | "FP16" | "UINT8" | "INT8" | "INT32" | "INT64" | "BOOL";

const BYTES_PER_ELEMENT: Record<Datatype, number> = {
  FP32: 4,
  FP16: 2,
  UINT8: 1,
  INT8: 1,
  INT32: 4,
  INT64: 8,
  BOOL: 1,
};

/** A tensor on the wire: raw little-endian bytes with its shape and datatype. */
export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: Uint8Array;
}

export interface InferRequest {
  id?: string;
  inputs: Tensor[];
  /** Output names asked for, with whether each should come back as binary data. */
  outputs: { name: string; binary: boolean }[];
}

export interface InferResponse {
  modelName: string;
  modelVersion?: string;
  id?: string;
  outputs: Tensor[];
}

/** Raised for a body that does not follow the protocol; the server answers it with 400. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown;
  parameters?: { binary_data_size?: number; binary_data?: boolean };
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function byteSize(datatype: Datatype, shape: readonly number[]): number {
  return BYTES_PER_ELEMENT[datatype] * elementCount(shape);
}

function isDatatype(value: string): value is Datatype {
  return Object.hasOwn(BYTES_PER_ELEMENT, value);
}

/** Checks a tensor's declared shape and datatype against the bytes it carries. */
function checkTensor(t: WireTensor): Datatype {
  if (typeof t?.name !== "string") throw new ProtocolError("tensor without a name");
  if (!isDatatype(String(t.datatype))) {
    throw new ProtocolError(`tensor ${t.name}: unsupported datatype ${t.datatype}`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ProtocolError(`tensor ${t.name}: bad shape`);
  }
  return t.datatype as Datatype;
}

function concat(header: unknown, tensors: Tensor[]): Uint8Array<ArrayBuffer> {
  const json = textEncoder.encode(JSON.stringify(header));
  const total = tensors.reduce((n, t) => n + t.data.byteLength, json.byteLength);
  const body = new Uint8Array(total);
  body.set(json, 0);
  let offset = json.byteLength;
  for (const t of tensors) {
    body.set(t.data, offset);
    offset += t.data.byteLength;
  }
  return body;
}

/** Splits a body into its JSON header and the binary part that follows. */
function split(body: Uint8Array, headerLength: number | null): { json: any; binary: Uint8Array } {
  const length = headerLength ?? body.byteLength;
  if (!Number.isInteger(length) || length < 0 || length > body.byteLength) {
    throw new ProtocolError(`${HEADER_LENGTH} ${headerLength} does not fit a body of ${body.byteLength} bytes`);
  }
  let json: any;
  try {
    json = JSON.parse(textDecoder.decode(body.subarray(0, length)));
  } catch (cause) {
    throw new ProtocolError("JSON header does not parse", { cause });
  }
  if (json === null || typeof json !== "object") throw new ProtocolError("JSON header is not an object");
  return { json, binary: body.subarray(length) };
}

/** Reads the tensors of a header, taking binary ones from `binary` in order. */
function readTensors(list: unknown, binary: Uint8Array): Tensor[] {
  if (!Array.isArray(list)) throw new ProtocolError("tensor list missing");
  let offset = 0;
  const tensors = list.map((t: WireTensor): Tensor => {
    const datatype = checkTensor(t);
    const expected = byteSize(datatype, t.shape);
    const size = t.parameters?.binary_data_size;
    if (size !== undefined) {
      if (size !== expected) {
        throw new ProtocolError(`tensor ${t.name}: binary_data_size ${size}, shape needs ${expected}`);
      }
      if (offset + size > binary.byteLength) throw new ProtocolError(`tensor ${t.name}: body too short`);
      const data = binary.subarray(offset, offset + size);
      offset += size;
      return { name: t.name, datatype, shape: t.shape, data };
    }
    return { name: t.name, datatype, shape: t.shape, data: fromJsonData(t, datatype, expected) };
  });
  if (offset !== binary.byteLength) throw new ProtocolError("binary data left over after the last tensor");
  return tensors;
}

/** The JSON (non-binary) form: a flat array of numbers. Only FP32 and UINT8 are needed here. */
function fromJsonData(t: WireTensor, datatype: Datatype, expected: number): Uint8Array {
  const values = Array.isArray(t.data) ? (t.data.flat(Infinity) as unknown[]) : null;
  if (!values || values.length * BYTES_PER_ELEMENT[datatype] !== expected) {
    throw new ProtocolError(`tensor ${t.name}: data does not match its shape`);
  }
  if (!values.every((v) => typeof v === "number")) throw new ProtocolError(`tensor ${t.name}: non-numeric data`);
  if (datatype === "FP32") return new Uint8Array(Float32Array.from(values as number[]).buffer);
  if (datatype === "UINT8") return Uint8Array.from(values as number[]);
  throw new ProtocolError(`tensor ${t.name}: JSON data of type ${datatype} is not supported`);
}

function toJsonData(t: Tensor): number[] {
  if (t.datatype === "FP32") return Array.from(new Float32Array(t.data.slice().buffer));
  if (t.datatype === "UINT8") return Array.from(t.data);
  throw new ProtocolError(`tensor ${t.name}: JSON data of type ${t.datatype} is not supported`);
}

/** Builds a binary infer request. Returns the body and the header length to send. */
export function encodeInferRequest(request: InferRequest): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const header = {
    ...(request.id ? { id: request.id } : {}),
    inputs: request.inputs.map((t) => ({
      name: t.name,
      datatype: t.datatype,
      shape: t.shape,
      parameters: { binary_data_size: t.data.byteLength },
    })),
    outputs: request.outputs.map((o) => ({ name: o.name, parameters: { binary_data: o.binary } })),
  };
  const headerLength = textEncoder.encode(JSON.stringify(header)).byteLength;
  return { body: concat(header, request.inputs), headerLength };
}

export function decodeInferRequest(body: Uint8Array, headerLength: number | null): InferRequest {
  const { json, binary } = split(body, headerLength);
  const outputs = Array.isArray(json.outputs)
    ? json.outputs.map((o: any) => {
        if (typeof o?.name !== "string") throw new ProtocolError("requested output without a name");
        return { name: o.name, binary: o.parameters?.binary_data === true };
      })
    : [];
  return { id: typeof json.id === "string" ? json.id : undefined, inputs: readTensors(json.inputs, binary), outputs };
}

/** Builds an infer response; tensors named in `binary` travel as raw bytes, others as JSON. */
export function encodeInferResponse(
  response: InferResponse,
  binary: ReadonlySet<string>,
): { body: Uint8Array<ArrayBuffer>; headerLength: number | null } {
  const binaryTensors = response.outputs.filter((t) => binary.has(t.name));
  const header = {
    model_name: response.modelName,
    ...(response.modelVersion ? { model_version: response.modelVersion } : {}),
    ...(response.id ? { id: response.id } : {}),
    outputs: response.outputs.map((t) => ({
      name: t.name,
      datatype: t.datatype,
      shape: t.shape,
      ...(binary.has(t.name) ? { parameters: { binary_data_size: t.data.byteLength } } : { data: toJsonData(t) }),
    })),
  };
  const body = concat(header, binaryTensors);
  const headerLength = binaryTensors.length ? body.byteLength - binaryTensors.reduce((n, t) => n + t.data.byteLength, 0) : null;
  return { body, headerLength };
}

export function decodeInferResponse(body: Uint8Array, headerLength: number | null): InferResponse {
  const { json, binary } = split(body, headerLength);
  if (typeof json.model_name !== "string") throw new ProtocolError("response without model_name");
  return {
    modelName: json.model_name,
    modelVersion: typeof json.model_version === "string" ? json.model_version : undefined,
    id: typeof json.id === "string" ? json.id : undefined,
    outputs: readTensors(json.outputs, binary),
  };
}

/** Parses the header-length HTTP header; null when absent (a pure JSON body). */
export function parseHeaderLength(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ProtocolError(`bad ${HEADER_LENGTH}: ${value}`);
  return n;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** One float32 to IEEE 754 half bits, rounding to nearest even (as numpy's astype does). */
function toHalfBits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  // Normal halves drop 13 mantissa bits; subnormal ones also shift the implicit 1 in.
  const full = e <= 0 ? mantissa | 0x800000 : mantissa;
  const shift = e <= 0 ? 14 - e : 13;
  if (shift > 24) return sign;
  let half = (e <= 0 ? 0 : e << 10) | (full >>> shift);
  const rest = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa moves into the exponent, which is the right answer.
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * float32 values as FP16 tensor bytes (little-endian): half the bytes on the wire.
 * @example encodeFloat16(new Float32Array([1, -2.5])) // Uint8Array [0x00, 0x3c, 0x00, 0xc1]
 */
export function encodeFloat16(values: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, toHalfBits(values[i]), true);
  return out;
}

/** FP16 tensor bytes (little-endian) back to float32 values. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength >>> 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = fromHalfBits(view.getUint16(i * 2, true));
  return out;
}
