/**
 * `GET /health`: whether the model answers, what runs, and the WASM memory each worker holds
 * (the figures the memory budget is checked against).
 */
import type { Handler } from "hono";
import { MODELS, REMOTE_MODEL, REMOTE_MODELS, edgeModel } from "../../../core/models";
import { backendConfigFrom } from "../backends/config";
import { gpuBreaker } from "../backends/gpu";
import { limitsFrom } from "../config";
import { codecMemoryBytes, decoderTraps } from "../codecs";
import { pipelineLastBytes, pipelinePeakBytes } from "./memory-stats";
import { lastTimings } from "../timing";

interface SegmenterStats {
  wasmMemoryBytes: number;
  loadedModels: string[];
  inferences: number;
  onnxruntime: string;
}

async function segmenterState(segmenter: Fetcher, model: string): Promise<{ ready: boolean; stats: SegmenterStats | null; error?: string }> {
  try {
    const ready = await segmenter.fetch(`http://segmenter/v2/models/${model}/ready`);
    await ready.body?.cancel();
    const stats = (await (await segmenter.fetch("http://segmenter/stats")).json()) as SegmenterStats;
    return { ready: ready.ok, stats };
  } catch (error) {
    return { ready: false, stats: null, error: String(error) };
  }
}

/** The GPU server's model: `configured: false` without GPU_SERVER_URL; never probed here. */
function gpuModel(env: Env) {
  const gpu = backendConfigFrom(env as unknown as Record<string, unknown>);
  const spec = gpu?.spec ?? REMOTE_MODELS[REMOTE_MODEL];
  return { id: spec.id, input: spec.size, precision: spec.precision, licence: spec.licence, backend: "gpu", configured: gpu !== null, breaker: gpu ? gpuBreaker(gpu).state : null };
}

export const health: Handler<{ Bindings: Env }> = async (c) => {
  const edge = edgeModel(c.env.EDGE_MODEL);
  const codecs = await codecMemoryBytes();
  const segmenter = await segmenterState(c.env.SEGMENTER, edge.id);
  return c.json(
    {
      status: segmenter.ready ? "ok" : "degraded",
      ready: segmenter.ready,
      edgeModel: edge.id,
      models: [
        ...Object.values(MODELS).map((m) => ({ id: m.id, version: m.version, input: m.size, precision: m.precision, licence: m.licence, backend: "edge" })),
        gpuModel(c.env),
      ],
      versions: { onnxruntime: segmenter.stats?.onnxruntime ?? null },
      memory: {
        frontWasmBytes: Object.values(codecs).reduce((sum, bytes) => sum + bytes, 0),
        frontCodecs: codecs,
        // The most typed-array memory one request's pipeline held at once (its own count).
        frontPipelinePeakBytes: pipelinePeakBytes(),
        frontPipelineLastBytes: pipelineLastBytes(),
        segmenterWasmBytes: segmenter.stats?.wasmMemoryBytes ?? null,
      },
      // The last finished answer's phases in ms, compose and encode included (Server-Timing stops at the mask).
      lastAnswer: lastTimings(),
      counters: { inferences: segmenter.stats?.inferences ?? null, decoderTraps: decoderTraps() },
      limits: limitsFrom(c.env as unknown as Record<string, unknown>),
      ...(segmenter.error ? { error: segmenter.error } : {}),
    },
    segmenter.ready ? 200 : 503,
  );
};
