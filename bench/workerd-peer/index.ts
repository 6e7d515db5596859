/**
 * The onnxruntime-web fp32 peer inside workerd, for `npm run bench`: the stock u2netp.onnx with
 * ORT's default session options (what a user of the library would write), loaded the way the
 * segmenter loads ORT, behind the same v2 endpoints, so the product and the peer are compared in
 * one runtime. Local measurement only: its 217 MiB of WASM memory would not fit a deployed
 * isolate (128 MB).
 */
import type { InferenceSession, Tensor } from "onnxruntime-web";
import stockModel from "../../models/u2netp.onnx";
import { MODELS } from "../../core/models";
import { HEADER_LENGTH, decodeInferRequest, encodeInferResponse, parseHeaderLength } from "../../core/oip";
import { onnxRuntime, ortMemoryBytes } from "../../worker/segmenter/ort-runtime";

const spec = MODELS.u2netp;
let session: Promise<InferenceSession> | undefined;

async function infer(request: Request): Promise<Response> {
  const ort = onnxRuntime();
  session ??= ort.InferenceSession.create(new Uint8Array(stockModel), { executionProviders: ["wasm"] });
  const decoded = decodeInferRequest(new Uint8Array(await request.arrayBuffer()), parseHeaderLength(request.headers.get(HEADER_LENGTH)));
  const input = decoded.inputs[0];
  const pixels = new Float32Array(input.data.slice().buffer);
  const results = await (await session).run({ [spec.inputName]: new ort.Tensor("float32", pixels, [1, 3, spec.size, spec.size]) }, [spec.outputName]);
  const output = results[spec.outputName] as Tensor;
  const data = new Float32Array(output.data as Float32Array);
  output.dispose();
  const encoded = encodeInferResponse(
    { modelName: spec.id, outputs: [{ name: spec.outputName, datatype: "FP32", shape: [1, 1, spec.size, spec.size], data: new Uint8Array(data.buffer) }] },
    new Set([spec.outputName]),
  );
  return new Response(encoded.body, { headers: { [HEADER_LENGTH]: String(encoded.headerLength) } });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === `/v2/models/${spec.id}/infer` && request.method === "POST") return infer(request);
    if (pathname === "/stats") return Response.json({ wasmMemoryBytes: ortMemoryBytes() });
    if (pathname === "/v2/health/live") return new Response(null, { status: 200 });
    return new Response("not found", { status: 404 });
  },
};
