/**
 * One ONNX Runtime session per model, created on first use (Workers allow 1 s of startup, a
 * session takes longer), shared by every request, and forgotten if creation fails so one
 * failure is not cached for the isolate's life. Runs go one at a time: WASM memory never
 * shrinks, so overlapping runs would raise the isolate's peak for good.
 */
import type { InferenceSession, Tensor as OrtTensor } from "onnxruntime-web";
import { Mutex } from "../../core/mutex";
import type { ModelSpec } from "../../core/models";
import { onnxRuntime, reserveMemory } from "./ort-runtime";
import type { ModelFiles } from "./model-files";
import { expandWeights } from "../../core/weights";

const sessions = new Map<string, Promise<InferenceSession>>();
const runs = new Mutex();
let inferences = 0;

async function createSession(spec: ModelSpec, files: ModelFiles): Promise<InferenceSession> {
  if (spec.memoryReserveBytes) reserveMemory(spec.memoryReserveBytes);
  const ort = onnxRuntime();
  const externalData = files.weights
    ? [{ path: files.weights.index.externalDataPath, data: expandWeights(files.weights.packed, files.weights.index) }]
    : undefined;
  const session = await ort.InferenceSession.create(new Uint8Array(files.graph), {
    executionProviders: ["wasm"],
    ...spec.session,
    externalData,
  } as InferenceSession.SessionOptions);
  return session;
}

/** The model's session, created once per isolate. */
export function sessionFor(spec: ModelSpec, files: ModelFiles): Promise<InferenceSession> {
  let session = sessions.get(spec.id);
  if (!session) {
    session = createSession(spec, files);
    sessions.set(spec.id, session);
    session.catch(() => sessions.delete(spec.id));
  }
  return session;
}

export function loadedModels(): string[] {
  return [...sessions.keys()];
}

export function inferenceCount(): number {
  return inferences;
}

/**
 * Runs the model on one float32 NCHW input and returns the named output's values.
 * @example const mask = await infer(spec, files, pixels, [1, 3, 320, 320]);
 */
export async function infer(spec: ModelSpec, files: ModelFiles, input: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: number[] }> {
  const session = await sessionFor(spec, files);
  const ort = onnxRuntime();
  return runs.run(async () => {
    const feeds = { [spec.inputName]: new ort.Tensor("float32", input, shape) };
    const results = await session.run(feeds, [spec.outputName]);
    const output = results[spec.outputName] as OrtTensor;
    inferences++;
    // Copy out of ORT's tensor, then release it so its buffer is reused by the next run.
    const data = new Float32Array(output.data as Float32Array);
    const dims = [...output.dims];
    output.dispose();
    return { data, dims };
  });
}
