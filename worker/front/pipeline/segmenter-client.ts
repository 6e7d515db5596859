/**
 * The front worker's side of the Open Inference Protocol: sends the preprocessed tensor to a
 * v2 server (the segmenter worker through its service binding) and returns the mask tensor.
 */
import type { ModelSpec } from "../../shared/models";
import { HEADER_LENGTH, decodeInferResponse, encodeInferRequest, parseHeaderLength } from "../../shared/oip";
import { ApiError } from "../errors";

/** Anything with a fetch: a service binding, or a wrapper around global fetch for a server. */
export interface InferenceServer {
  fetch(input: RequestInfo, init?: RequestInit): Promise<Response>;
}

/**
 * Runs the model on one NCHW float32 input and returns its output values.
 * @example const raw = await infer(env.SEGMENTER, MODELS.u2netp, input);
 */
export async function infer(server: InferenceServer, spec: ModelSpec, input: Float32Array): Promise<Float32Array> {
  const { body, headerLength } = encodeInferRequest({
    inputs: [{ name: spec.inputName, datatype: "FP32", shape: [1, 3, spec.size, spec.size], data: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) }],
    outputs: [{ name: spec.outputName, binary: true }],
  });
  let response: Response;
  try {
    response = await server.fetch(`http://segmenter/v2/models/${spec.id}/infer`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", [HEADER_LENGTH]: String(headerLength) },
      body,
    });
  } catch (cause) {
    throw new ApiError("segmenter_unavailable", undefined, { cause });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) {
    const detail = new TextDecoder().decode(bytes.subarray(0, 300));
    throw new ApiError("segmenter_unavailable", undefined, { cause: new Error(`HTTP ${response.status}: ${detail}`) });
  }
  try {
    const decoded = decodeInferResponse(bytes, parseHeaderLength(response.headers.get(HEADER_LENGTH)));
    const tensor = decoded.outputs.find((t) => t.name === spec.outputName);
    const expected = spec.size * spec.size;
    if (!tensor || tensor.datatype !== "FP32" || tensor.data.byteLength !== expected * 4) {
      throw new Error(`output ${spec.outputName} missing or not FP32 [1,1,${spec.size},${spec.size}]`);
    }
    const values = new Float32Array(expected);
    new Uint8Array(values.buffer).set(tensor.data);
    return values;
  } catch (cause) {
    throw new ApiError("segmenter_unavailable", "The segmentation model answered something unreadable", { cause });
  }
}
