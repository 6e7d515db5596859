/**
 * Reads a v2 binary-tensor body the way Triton's HTTP frontend does, independently of our
 * codec (worker/shared/oip.ts): the first `Inference-Header-Content-Length` bytes are the JSON
 * header, each tensor with `binary_data_size` takes exactly that many bytes, in header order,
 * that size must equal shape × datatype size, and nothing may be left over.
 */
const DATATYPE_BYTES: Record<string, number> = { BOOL: 1, UINT8: 1, INT8: 1, FP16: 2, BF16: 2, INT32: 4, FP32: 4, INT64: 8, FP64: 8 };

export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  bytes: Uint8Array;
}

export interface WireBody {
  json: Record<string, any>;
  headerLength: number;
  tensors: WireTensor[];
}

/** Throws with the reason Triton would give when a body does not follow the extension. */
export function readTritonBody(body: Uint8Array, headerLengthValue: string | null, list: "inputs" | "outputs"): WireBody {
  if (headerLengthValue === null || !/^\d+$/.test(headerLengthValue)) throw new Error(`Inference-Header-Content-Length is ${headerLengthValue}`);
  const headerLength = Number(headerLengthValue);
  if (headerLength > body.byteLength) throw new Error("header length past the end of the body");
  const json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body.subarray(0, headerLength)));
  let offset = headerLength;
  const tensors = (json[list] as any[]).map((t) => {
    const size = t.parameters?.binary_data_size;
    if (!(t.datatype in DATATYPE_BYTES)) throw new Error(`${t.name}: datatype ${t.datatype}`);
    if (!Number.isInteger(size)) throw new Error(`${t.name}: not binary`);
    const elements = (t.shape as number[]).reduce((n, d) => n * d, 1);
    if (size !== elements * DATATYPE_BYTES[t.datatype]) throw new Error(`${t.name}: ${size} bytes for shape [${t.shape}] ${t.datatype}`);
    const bytes = body.subarray(offset, offset + size);
    if (bytes.byteLength !== size) throw new Error(`${t.name}: body too short`);
    offset += size;
    return { name: t.name, datatype: t.datatype, shape: t.shape, bytes };
  });
  if (offset !== body.byteLength) throw new Error(`${body.byteLength - offset} bytes left over`);
  return { json, headerLength, tensors };
}
