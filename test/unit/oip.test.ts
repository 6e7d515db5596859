/**
 * The Open Inference Protocol codec, checked the way a Triton server reads a request: the
 * JSON header is exactly `Inference-Header-Content-Length` bytes, each binary tensor's
 * `binary_data_size` matches its shape and datatype, and the tensors follow in header order.
 */
import { describe, expect, it } from "vitest";
import {
  ProtocolError,
  decodeInferRequest,
  decodeInferResponse,
  encodeInferRequest,
  encodeInferResponse,
} from "../../core/oip";

const floats = (n: number, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed));
const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer);

describe("Open Inference Protocol v2, binary tensor extension", () => {
  it("writes a request a Triton server can read", () => {
    const input = floats(3 * 4 * 4);
    const { body, headerLength } = encodeInferRequest({
      inputs: [{ name: "input.1", datatype: "FP32", shape: [1, 3, 4, 4], data: bytesOf(input) }],
      outputs: [{ name: "1959", binary: true }],
    });
    const header = JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength)));
    expect(header.inputs).toEqual([{ name: "input.1", datatype: "FP32", shape: [1, 3, 4, 4], parameters: { binary_data_size: 192 } }]);
    expect(header.outputs).toEqual([{ name: "1959", parameters: { binary_data: true } }]);
    expect(body.byteLength).toBe(headerLength + 192);
    expect(new Float32Array(body.slice(headerLength).buffer)).toEqual(input);
  });

  it("round-trips requests and responses", () => {
    const a = floats(6, 2);
    const b = Uint8Array.from([1, 2, 3]);
    const request = encodeInferRequest({
      id: "r1",
      inputs: [
        { name: "a", datatype: "FP32", shape: [2, 3], data: bytesOf(a) },
        { name: "b", datatype: "UINT8", shape: [3], data: b },
      ],
      outputs: [{ name: "y", binary: true }],
    });
    const decoded = decodeInferRequest(request.body, request.headerLength);
    expect(decoded.id).toBe("r1");
    expect(decoded.inputs.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual([
      ["a", [2, 3], Array.from(bytesOf(a))],
      ["b", [3], [1, 2, 3]],
    ]);
    const response = encodeInferResponse({ modelName: "m", modelVersion: "1", outputs: [{ name: "y", datatype: "FP32", shape: [2, 3], data: bytesOf(a) }] }, new Set(["y"]));
    const back = decodeInferResponse(response.body, response.headerLength);
    expect(back.modelName).toBe("m");
    expect(new Float32Array(back.outputs[0].data.slice().buffer)).toEqual(a);
  });

  it("reads the JSON (non-binary) form too", () => {
    const body = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [2], data: [1.5, -2] }] }));
    const { inputs } = decodeInferRequest(body, null);
    expect(Array.from(new Float32Array(inputs[0].data.slice().buffer))).toEqual([1.5, -2]);
  });

  it.each([
    ["a header length past the body", (b: Uint8Array, h: number) => [b, h + b.length]],
    ["a truncated binary part", (b: Uint8Array, h: number) => [b.subarray(0, b.length - 4), h]],
    ["extra bytes after the last tensor", (b: Uint8Array, h: number) => [new Uint8Array([...b, 0]), h]],
    ["a header that is not JSON", (b: Uint8Array, h: number) => [b, h - 1]],
  ] as const)("refuses %s", (_name, mangle) => {
    const { body, headerLength } = encodeInferRequest({
      inputs: [{ name: "x", datatype: "FP32", shape: [4], data: bytesOf(floats(4)) }],
      outputs: [],
    });
    const [b, h] = mangle(body, headerLength) as [Uint8Array, number];
    expect(() => decodeInferRequest(b, h)).toThrow(ProtocolError);
  });

  it("refuses a binary size that disagrees with the shape", () => {
    const header = JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [4], parameters: { binary_data_size: 8 } }] });
    const body = new Uint8Array([...new TextEncoder().encode(header), ...new Uint8Array(8)]);
    expect(() => decodeInferRequest(body, body.length - 8)).toThrow(/binary_data_size 8, shape needs 16/);
  });
});
