/**
 * The edge model, run in the browser: the same graph and weights the segmenter worker runs
 * (whatever models/manifest.json describes), the same pre-processing and mask resizing (the
 * worker's own modules, bundled), so a frame here gets the mask the API would give.
 */
import type { InferenceSession, Tensor } from "onnxruntime-web";
import manifest from "../../../models/manifest.json";
import { toMask8, resizeMask } from "../../../worker/front/pipeline/mask";
import { toModelInput } from "../../../worker/front/pipeline/preprocess";
import { DEFAULT_MODEL, MODELS, type ModelSpec } from "../../../worker/shared/models";
import { expandWeights, type WeightIndex } from "../../../worker/segmenter/weights";
import type { RgbaImage } from "../../../worker/front/compose/types";
import { loadRuntime, type Backend, type Runtime } from "./ort-loader";

/** Where the build copies the model files. */
const MODEL_PATH = "/models/";

export interface Segmenter {
  backend: Backend;
  /** WASM threads in use (1 unless the page is cross-origin isolated). */
  threads: number;
  spec: ModelSpec;
  /** The 8-bit mask of `image`, its size (255 = object). */
  segment(image: RgbaImage): Promise<Uint8Array>;
}

async function fetchBytes(file: string): Promise<ArrayBuffer> {
  const response = await fetch(MODEL_PATH + file);
  if (!response.ok) throw new Error(`Could not load the model file ${file} (HTTP ${response.status})`);
  return response.arrayBuffer();
}

async function createSession(runtime: Runtime, spec: ModelSpec): Promise<InferenceSession> {
  const { files } = manifest;
  const [graph, packed, index] = await Promise.all([
    fetchBytes(files.graph.path),
    fetchBytes(files.weights.path),
    fetchBytes(files.weightsIndex.path).then((b) => JSON.parse(new TextDecoder().decode(b)) as WeightIndex),
  ]);
  return runtime.ort.InferenceSession.create(new Uint8Array(graph), {
    ...spec.session,
    executionProviders: runtime.executionProviders,
    externalData: [{ path: index.externalDataPath, data: expandWeights(packed, index) }],
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

let loading: Promise<Segmenter> | undefined;

/**
 * The shared in-browser segmenter, created on first use; forgotten if creation fails so a
 * retry can succeed.
 * @example const mask = await (await browserSegmenter()).segment(frame);
 */
export function browserSegmenter(prefer?: Backend): Promise<Segmenter> {
  loading ??= (async () => {
    const spec = MODELS[DEFAULT_MODEL];
    const runtime = await loadRuntime(prefer);
    const session = await createSession(runtime, spec);
    const segment = serialised(async (image: RgbaImage) => {
      const input = new runtime.ort.Tensor("float32", toModelInput(image, spec), [1, 3, spec.size, spec.size]);
      const results = await session.run({ [spec.inputName]: input }, [spec.outputName]);
      const output = results[spec.outputName] as Tensor;
      const mask = toMask8((await output.getData()) as Float32Array);
      output.dispose();
      return resizeMask(mask, spec.size, spec.size, image.width, image.height);
    });
    return { backend: runtime.backend, threads: runtime.threads, spec, segment };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}
