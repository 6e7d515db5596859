import type { ModelSpec } from "../../core/models";
import { ProtocolError, decodeFloat16, type InferRequest } from "../../core/oip";

/**
 * Picks the model's input out of a v2 request and checks it is what the edge graph was
 * measured with: one image at the model's own size, FP32 or FP16 (half the bytes on the wire,
 * widened here: the graph computes in fp32). Anything else is a 400, never a run of unknown
 * memory cost.
 */
export function checkInput(spec: ModelSpec, request: InferRequest): { pixels: Float32Array; shape: number[] } {
  const tensor = request.inputs.find((t) => t.name === spec.inputName);
  if (!tensor) throw new ProtocolError(`input ${spec.inputName} missing`);
  if (request.inputs.length !== 1) throw new ProtocolError(`expected one input, got ${request.inputs.length}`);
  if (tensor.datatype !== "FP32" && tensor.datatype !== "FP16") {
    throw new ProtocolError(`input ${spec.inputName} must be FP32 or FP16`);
  }
  const expected = [1, 3, spec.size, spec.size];
  if (tensor.shape.join() !== expected.join()) {
    throw new ProtocolError(`input shape [${tensor.shape}] must be [${expected}]`);
  }
  if (tensor.datatype === "FP16") return { pixels: decodeFloat16(tensor.data), shape: expected };
  // Copy into an aligned buffer: the tensor's bytes may sit at any offset of the body.
  const pixels = new Float32Array(tensor.data.byteLength / 4);
  new Uint8Array(pixels.buffer).set(tensor.data);
  return { pixels, shape: expected };
}
