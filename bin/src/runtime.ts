/**
 * The model in Node: onnxruntime-node (native, an optional dependency) when it loads, else
 * onnxruntime-web's WASM build, the one the segmenter worker runs (one thread, same session
 * options, same graph and weights), whose masks are therefore byte-equal to the API's.
 *
 * The edge graph keeps its weights packed (fp16); ORT-web takes the expanded fp32 buffer as
 * `externalData`, onnxruntime-node only reads external data from a file beside the graph, so
 * the expanded buffer is written once into dist/cli/models/<version>/.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { MODELS, type ModelSpec } from "../../core/models.ts";
import { expandWeights, type WeightIndex } from "../../core/weights.ts";
import { inRepo } from "./paths.ts";

export type RuntimeChoice = "auto" | "native" | "wasm";
export type RuntimeName = "native" | "wasm";

export interface Segmenter {
  runtime: RuntimeName;
  spec: ModelSpec;
  /** Runs the model on one 1×3×S×S input; the named output's values. */
  infer(input: Float32Array): Promise<Float32Array>;
}

/** Each model's files under models/, as worker/segmenter/model-files.ts bundles them. */
const MODEL_FILES: Record<string, { graph: string; nativeGraph?: string; weights?: { packed: string; index: string } }> = {
  u2netp: { graph: "u2netp-edge.onnx", weights: { packed: "u2netp-edge.weights.bin", index: "u2netp-edge.weights.json" } },
  // onnxruntime-node's x86 int8 kernels run the pruned channel counts slower: its own build, unpruned.
  "u2netp-int8": { graph: "u2netp-int8.onnx", nativeGraph: "u2netp-int8-native.onnx" },
};

export const MODEL_IDS = Object.keys(MODEL_FILES);

const require = createRequire(import.meta.url);

function modelSpec(id: string): ModelSpec {
  if (!Object.hasOwn(MODELS, id) || !MODEL_FILES[id]) throw new Error(`unknown model ${id}: one of ${MODEL_IDS.join(", ")}`);
  return MODELS[id];
}

function expanded(id: string): { index: WeightIndex; data: Uint8Array } | undefined {
  const files = MODEL_FILES[id];
  if (!files.weights) return undefined;
  const index = JSON.parse(readFileSync(inRepo("models", files.weights.index), "utf8")) as WeightIndex;
  return { index, data: expandWeights(readFileSync(inRepo("models", files.weights.packed)), index) };
}

/**
 * The graph's path for onnxruntime-node, with its external data beside it. Written once per
 * model version (a rename makes it appear whole, so parallel workers never read half a file).
 */
export function nativeGraphPath(id: string): string {
  const spec = modelSpec(id);
  const files = MODEL_FILES[id];
  if (!files.weights) return inRepo("models", files.nativeGraph ?? files.graph);
  const dir = inRepo("dist/cli/models", `${id}-${spec.version}`);
  const graph = join(dir, files.graph);
  if (existsSync(graph)) return graph;
  mkdirSync(dir, { recursive: true });
  const weights = expanded(id)!;
  const write = (name: string, bytes: Uint8Array) => {
    const partial = join(dir, `${name}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`);
    writeFileSync(partial, bytes);
    renameSync(partial, join(dir, name));
  };
  write(weights.index.externalDataPath, weights.data);
  write(files.graph, readFileSync(inRepo("models", files.graph)));
  return graph;
}

/** onnxruntime-node, or why it did not load. */
function loadNative(): { ort?: typeof import("onnxruntime-node"); why?: string } {
  try {
    return { ort: require("onnxruntime-node") };
  } catch (error) {
    return { why: (error as Error).message.split("\n")[0] };
  }
}

async function nativeSegmenter(ort: typeof import("onnxruntime-node"), spec: ModelSpec, threads: number): Promise<Segmenter> {
  const session = await ort.InferenceSession.create(nativeGraphPath(spec.id), {
    ...spec.session,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  } as import("onnxruntime-node").InferenceSession.SessionOptions);
  return {
    runtime: "native",
    spec,
    async infer(input) {
      const results = await session.run({ [spec.inputName]: new ort.Tensor("float32", input, [1, 3, spec.size, spec.size]) }, [spec.outputName]);
      return results[spec.outputName].data as Float32Array;
    },
  };
}

async function wasmSegmenter(spec: ModelSpec): Promise<Segmenter> {
  const ort = await import("onnxruntime-web/wasm");
  ort.env.wasm.numThreads = 1; // as in the segmenter worker: one thread per session
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
  const weights = expanded(spec.id);
  const session = await ort.InferenceSession.create(readFileSync(inRepo("models", MODEL_FILES[spec.id].graph)), {
    executionProviders: ["wasm"],
    ...spec.session,
    externalData: weights ? [{ path: weights.index.externalDataPath, data: weights.data }] : undefined,
  } as import("onnxruntime-web").InferenceSession.SessionOptions);
  return {
    runtime: "wasm",
    spec,
    async infer(input) {
      const results = await session.run({ [spec.inputName]: new ort.Tensor("float32", input, [1, 3, spec.size, spec.size]) }, [spec.outputName]);
      const output = results[spec.outputName];
      const data = new Float32Array(output.data as Float32Array);
      output.dispose();
      return data;
    },
  };
}

/** The runtime `auto` picks here: native when onnxruntime-node loads. */
export function availableRuntime(choice: RuntimeChoice): { runtime: RuntimeName; note?: string } {
  if (choice === "wasm") return { runtime: "wasm" };
  const { ort, why } = loadNative();
  if (ort) return { runtime: "native" };
  if (choice === "native") throw new Error(`onnxruntime-node does not load: ${why}`);
  return { runtime: "wasm", note: `onnxruntime-node does not load (${why})` };
}

/** A session for `model` on the chosen runtime; `threads` is ORT's intra-op threads (native only). */
export async function loadSegmenter(model: string, runtime: RuntimeName, threads = 1): Promise<Segmenter> {
  const spec = modelSpec(model);
  if (runtime === "wasm") return wasmSegmenter(spec);
  return nativeSegmenter(loadNative().ort!, spec, threads);
}
