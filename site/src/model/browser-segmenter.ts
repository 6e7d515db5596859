/**
 * The edge model, run in the browser: the same graph and weights the segmenter worker runs
 * (any model of worker/shared/models.ts, the default unless told), the same pre-processing and
 * mask resizing (the worker's own modules, bundled), so a frame here gets the mask the API
 * would give.
 */
import type { InferenceSession, Tensor } from "onnxruntime-web";
import { toMask8, resizeMask } from "../../../core/mask";
import { toModelInput } from "../../../core/preprocess";
import { DEFAULT_MODEL, MODELS, type ModelSpec } from "../../../core/models";
import { expandWeights, type WeightIndex } from "../../../worker/segmenter/weights";
import type { RgbaImage } from "../../../core/image";
import { loadRuntime, type Backend, type Runtime } from "./ort-loader";

/** Where the build copies the model files. */
const MODEL_PATH = "/models/";

export interface Segmenter {
  backend: Backend;
  spec: ModelSpec;
  /** The 8-bit mask of `image`, its size (255 = object). */
  segment(image: RgbaImage): Promise<Uint8Array>;
}

/** A model's files as site/build.mjs lists them (`/models/<id>.files.json`). */
interface ModelFileNames {
  graph: string;
  weights?: string;
  weightsIndex?: string;
}

async function fetchBytes(file: string): Promise<ArrayBuffer> {
  const response = await fetch(MODEL_PATH + file);
  if (!response.ok) throw new Error(`Could not load the model file ${file} (HTTP ${response.status})`);
  return response.arrayBuffer();
}

async function createSession(runtime: Runtime, spec: ModelSpec): Promise<InferenceSession> {
  const files = JSON.parse(new TextDecoder().decode(await fetchBytes(`${spec.id}.files.json`))) as ModelFileNames;
  const graph = fetchBytes(files.graph);
  let externalData: { path: string; data: Uint8Array }[] | undefined;
  if (files.weights && files.weightsIndex) {
    const [packed, indexBytes] = await Promise.all([fetchBytes(files.weights), fetchBytes(files.weightsIndex)]);
    const index = JSON.parse(new TextDecoder().decode(indexBytes)) as WeightIndex;
    externalData = [{ path: index.externalDataPath, data: expandWeights(packed, index) }];
  }
  return runtime.ort.InferenceSession.create(new Uint8Array(await graph), {
    ...spec.session,
    executionProviders: runtime.executionProviders,
    externalData,
  } as InferenceSession.SessionOptions);
}

/** Runs are serialised: one session, one input buffer at a time. */
function serialised<T, A extends unknown[]>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const next = last.then(() => fn(...args));
    last = next.catch(() => undefined);
    return next;
  };
}

const loading = new Map<string, Promise<Segmenter>>();

/** The models the browser can run: those of worker/shared/models.ts, the default first. */
export function browserModels(): ModelSpec[] {
  return Object.values(MODELS).sort((a, b) => Number(b.id === DEFAULT_MODEL) - Number(a.id === DEFAULT_MODEL));
}

/**
 * The shared in-browser segmenter for `model` (default: the edge's default), created on first
 * use; forgotten if creation fails so a retry can succeed.
 * @example const mask = await (await browserSegmenter()).segment(frame);
 */
export function browserSegmenter(model = DEFAULT_MODEL, prefer?: Backend): Promise<Segmenter> {
  const existing = loading.get(model);
  if (existing) return existing;
  const created = (async () => {
    const spec = MODELS[model];
    if (!spec) throw new Error(`Unknown model ${model}`);
    let runtime = await loadRuntime(prefer);
    let session: InferenceSession;
    try {
      session = await createSession(runtime, spec);
    } catch (error) {
      if (runtime.backend !== "webgpu") throw error;
      // A GPU that cannot run this graph still leaves the WASM backend.
      console.warn("WebGPU session failed; using WASM", error);
      runtime = await loadRuntime("wasm");
      session = await createSession(runtime, spec);
    }
    const segment = serialised(async (image: RgbaImage) => {
      const input = new runtime.ort.Tensor("float32", toModelInput(image, spec), [1, 3, spec.size, spec.size]);
      const results = await session.run({ [spec.inputName]: input }, [spec.outputName]);
      const output = results[spec.outputName] as Tensor;
      const mask = toMask8((await output.getData()) as Float32Array);
      output.dispose();
      return resizeMask(mask, spec.size, spec.size, image.width, image.height);
    });
    return { backend: runtime.backend, spec, segment };
  })();
  loading.set(model, created);
  created.catch(() => loading.delete(model));
  return created;
}
