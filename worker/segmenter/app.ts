/**
 * The segmenter's HTTP side: the Open Inference Protocol v2 (the REST API of Triton, KServe and
 * MLServer) with the binary tensor extension, so the front worker's client reaches it and a GPU
 * Triton server the same way, over whichever models it is given.
 */
import { Hono } from "hono";
import type { ModelSpec } from "../../core/models";
import {
  HEADER_LENGTH,
  ProtocolError,
  decodeInferRequest,
  encodeInferResponse,
  parseHeaderLength,
} from "../../core/oip";
import type { ModelFiles } from "./model-files";
import { inferenceCount, infer, loadedModels, sessionFor } from "./session";
import { onnxRuntime, ortMemoryBytes } from "./ort-runtime";
import { checkInput } from "./input";

/** A model this segmenter serves: its spec and the bytes it runs from. */
export interface ServedModel {
  spec: ModelSpec;
  files: ModelFiles;
}

/** v2 errors are `{"error": "<message>"}`. */
const v2Error = (status: 400 | 404 | 500 | 503, message: string) => Response.json({ error: message }, { status });

/** The v2 app over `served`, keyed by model name. */
export function segmenterApp(served: Readonly<Record<string, ServedModel>>): Hono {
  const app = new Hono();
  const modelOr404 = (name: string): ModelSpec | undefined => (Object.hasOwn(served, name) ? served[name].spec : undefined);

  app.get("/v2", (c) => c.json({ name: "edge-u2net-segmenter", version: "2", extensions: ["binary_tensor_data"] }));
  app.get("/v2/health/live", (c) => c.body(null, 200));
  app.get("/v2/health/ready", (c) => c.body(null, 200));

  app.get("/v2/models/:name/ready", async (c) => {
    const spec = modelOr404(c.req.param("name"));
    if (!spec) return v2Error(404, `unknown model ${c.req.param("name")}`);
    await sessionFor(spec, served[spec.id].files);
    return c.body(null, 200);
  });

  app.get("/v2/models/:name", (c) => {
    const spec = modelOr404(c.req.param("name"));
    if (!spec) return v2Error(404, `unknown model ${c.req.param("name")}`);
    return c.json({
      name: spec.id,
      versions: [spec.version],
      platform: "onnxruntime_onnx",
      inputs: [{ name: spec.inputName, datatype: "FP32", shape: [1, 3, spec.size, spec.size] }],
      outputs: [{ name: spec.outputName, datatype: "FP32", shape: [1, 1, spec.size, spec.size] }],
    });
  });

  app.post("/v2/models/:name/infer", async (c) => {
    const spec = modelOr404(c.req.param("name"));
    if (!spec) return v2Error(404, `unknown model ${c.req.param("name")}`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const request = decodeInferRequest(body, parseHeaderLength(c.req.header(HEADER_LENGTH) ?? null));
    const { pixels, shape } = checkInput(spec, request);
    const output = await infer(spec, served[spec.id].files, pixels, shape);
    const wantsBinary = request.outputs.length === 0 || request.outputs.some((o) => o.name === spec.outputName && o.binary);
    const encoded = encodeInferResponse(
      {
        modelName: spec.id,
        modelVersion: spec.version,
        id: request.id,
        outputs: [{ name: spec.outputName, datatype: "FP32", shape: output.dims, data: new Uint8Array(output.data.buffer) }],
      },
      wantsBinary ? new Set([spec.outputName]) : new Set(),
    );
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (encoded.headerLength !== null) headers[HEADER_LENGTH] = String(encoded.headerLength);
    else headers["content-type"] = "application/json";
    return new Response(encoded.body, { headers });
  });

  /** Not part of v2: what the memory budget test and /health read. */
  app.get("/stats", (c) =>
    c.json({
      wasmMemoryBytes: ortMemoryBytes(),
      loadedModels: loadedModels(),
      inferences: inferenceCount(),
      onnxruntime: onnxRuntime().env.versions.web,
    }),
  );

  app.notFound(() => v2Error(404, "not found"));
  app.onError((error) => {
    if (error instanceof ProtocolError) return v2Error(400, error.message);
    console.error("segmenter failure", error);
    return v2Error(500, error instanceof Error ? error.message : String(error));
  });

  return app;
}
