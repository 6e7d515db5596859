/**
 * The front worker's side of the Open Inference Protocol v2 (binary tensor extension): one
 * client for both places a model runs, the segmenter worker behind its service binding and
 * a GPU server (Triton, KServe, MLServer) over HTTPS. It sends the preprocessed tensor,
 * checks the answer as strictly as the server checks the request, and returns the mask.
 */
import type { ModelSpec } from "../../../core/models";
import {
  HEADER_LENGTH,
  decodeInferResponse,
  encodeFloat16,
  encodeInferRequest,
  parseHeaderLength,
  type Tensor,
} from "../../../core/oip";

/** Anything with a fetch: a service binding, or a wrapper around global fetch for a server. */
export interface InferenceServer {
  fetch(input: RequestInfo, init?: RequestInit): Promise<Response>;
}

/** Where a model runs and how to talk to it. */
export interface InferenceTarget {
  server: InferenceServer;
  /** Prefix of the v2 paths: `http://segmenter` for the binding, the server's URL otherwise. */
  baseUrl: string;
  /** The model's name on that server, its tensor names and input size. */
  spec: ModelSpec;
  /** Input datatype on the wire. */
  datatype: "FP32" | "FP16";
  headers?: Record<string, string>;
}

/** Why an inference failed, short enough for the `X-Fallback` header. */
export type FailureReason = "unreachable" | "timeout" | "http_error" | "malformed" | "wrong_shape" | "circuit_open" | "not_configured";

export class InferenceFailure extends Error {
  override name = "InferenceFailure";

  /** The HTTP status, for `http_error`: 502/503/504 are worth another try. */
  readonly status?: number;

  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, { cause: options?.cause });
    this.status = options?.status;
  }
}

let requestCounter = 0;

/** The v2 request for one NCHW image; exported so tests can decode it as Triton would. */
export function inferRequestFor(target: Pick<InferenceTarget, "spec" | "datatype">, input: Float32Array, id: string) {
  const { spec, datatype } = target;
  const data = datatype === "FP16" ? encodeFloat16(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tensor: Tensor = { name: spec.inputName, datatype, shape: [1, 3, spec.size, spec.size], data };
  return encodeInferRequest({ id, inputs: [tensor], outputs: [{ name: spec.outputName, binary: true }] });
}

/** Takes the mask tensor out of a v2 answer, refusing anything that is not exactly it. */
function readMask(bytes: Uint8Array, headerLength: string | null, spec: ModelSpec, id: string): Float32Array {
  let decoded;
  try {
    decoded = decodeInferResponse(bytes, parseHeaderLength(headerLength));
  } catch (cause) {
    throw new InferenceFailure("malformed", "the answer does not follow the v2 protocol", { cause });
  }
  // Triton echoes the request id: a different one means someone else's tensor.
  if (decoded.id !== undefined && decoded.id !== id) {
    throw new InferenceFailure("malformed", `answer for request ${decoded.id}, expected ${id}`);
  }
  const tensor = decoded.outputs.find((t) => t.name === spec.outputName);
  const expected = [1, 1, spec.size, spec.size];
  if (!tensor) throw new InferenceFailure("wrong_shape", `output ${spec.outputName} missing`);
  if (tensor.datatype !== "FP32" || tensor.shape.join() !== expected.join()) {
    throw new InferenceFailure("wrong_shape", `output ${spec.outputName} is ${tensor.datatype} [${tensor.shape}], expected FP32 [${expected}]`);
  }
  const values = new Float32Array(spec.size * spec.size);
  new Uint8Array(values.buffer).set(tensor.data);
  if (!values.every(Number.isFinite)) throw new InferenceFailure("malformed", `output ${spec.outputName} holds NaN or infinity`);
  return values;
}

/**
 * Runs the model on one NCHW float32 input and returns its output values.
 * @throws InferenceFailure with the reason (unreachable, http_error, malformed, wrong_shape).
 * @example const raw = await infer({ server: env.SEGMENTER, baseUrl: "http://segmenter", spec, datatype: "FP32" }, input);
 */
export async function infer(target: InferenceTarget, input: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  const { spec } = target;
  const id = `r${++requestCounter}-${crypto.randomUUID().slice(0, 8)}`;
  const { body, headerLength } = inferRequestFor(target, input, id);
  let response: Response;
  try {
    response = await target.server.fetch(`${target.baseUrl}/v2/models/${encodeURIComponent(spec.id)}/infer`, {
      method: "POST",
      headers: { ...target.headers, "content-type": "application/octet-stream", [HEADER_LENGTH]: String(headerLength) },
      body,
      signal,
    });
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    throw new InferenceFailure("unreachable", `${target.baseUrl} could not be reached`, { cause });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) {
    const detail = new TextDecoder().decode(bytes.subarray(0, 300));
    throw new InferenceFailure("http_error", `HTTP ${response.status}: ${detail}`, { status: response.status });
  }
  return readMask(bytes, response.headers.get(HEADER_LENGTH), spec, id);
}
