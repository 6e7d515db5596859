/**
 * u2netp in the browser, per mode (model/browser-models.ts): the product's own pre-processing
 * (core/preprocess) and mask normalisation (core/mask), the graph of the backend in use.
 *
 * WebGPU first where the browser has it; a WebGPU session that fails to be created *or to
 * run* hands over to WASM, for that frame and for the rest of the page's life (a GPU that
 * failed once is not tried again: each try costs a session), and `onWebGpuFallback`
 * listeners hear why so the page can say so.
 */
import type { InferenceSession, Tensor } from "onnxruntime-web";
import { toMask8 } from "../../../core/mask";
import { toModelInput } from "../../../core/preprocess";
import type { RgbaImage } from "../../../core/image";
import { BROWSER_MODES, modeSpec, type BrowserMode, type ModeId } from "./browser-models";
import { firstBackend, runtimeFor, type Backend } from "./ort-loader";

/** Where the build copies the graphs. */
const MODEL_PATH = "/models/";

export interface Segmenter {
  readonly mode: BrowserMode;
  /** The backend running now (WebGPU can hand over to WASM). */
  readonly backend: Backend;
  /** WASM threads of the backend running now. */
  readonly threads: number;
  /** The mask of `image` at the model's side (`mode.side`², 255 = object). */
  segment(image: RgbaImage): Promise<Uint8Array>;
}

/** One session with its input tensor, kept and refilled frame after frame. */
interface Session {
  backend: Backend;
  threads: number;
  run(image: RgbaImage): Promise<Uint8Array>;
}

let webGpuFailure: string | undefined;
const fallbackListeners = new Set<(reason: string) => void>();

/** Calls `listener` (once) if WebGPU fails and the page falls back to WASM. */
export function onWebGpuFallback(listener: (reason: string) => void): void {
  if (webGpuFailure) listener(webGpuFailure);
  else fallbackListeners.add(listener);
}

function webGpuFailed(error: unknown): void {
  if (webGpuFailure) return;
  webGpuFailure = error instanceof Error ? error.message : String(error);
  console.warn("WebGPU failed; using WASM for the rest of this page", error);
  for (const listener of fallbackListeners) listener(webGpuFailure);
  fallbackListeners.clear();
}

async function fetchBytes(file: string): Promise<Uint8Array> {
  const response = await fetch(MODEL_PATH + file);
  if (!response.ok) throw new Error(`Could not load the model file ${file} (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

async function createSession(mode: BrowserMode, backend: Backend): Promise<Session> {
  const runtime = await runtimeFor(backend);
  const spec = modeSpec(mode);
  const session = await runtime.ort.InferenceSession.create(await fetchBytes(mode.graphs[backend]), {
    ...spec.session,
    executionProviders: runtime.executionProviders,
  } as InferenceSession.SessionOptions);
  // The input tensor is made once and refilled: no new tensor (or WebGPU upload buffer) per frame.
  const input = new Float32Array(3 * spec.size * spec.size);
  const tensor = new runtime.ort.Tensor("float32", input, [1, 3, spec.size, spec.size]);
  const run = async (image: RgbaImage) => {
    input.set(toModelInput(image, spec));
    const output = (await session.run({ [spec.inputName]: tensor }, [spec.outputName]))[spec.outputName] as Tensor;
    try {
      return toMask8((await output.getData()) as Float32Array);
    } finally {
      output.dispose();
    }
  };
  return { backend, threads: runtime.threads, run };
}

const sessions = new Map<string, Promise<Session>>();

/** The session of `mode` on `backend`, created once (forgotten if creation fails). */
function sessionFor(mode: BrowserMode, backend: Backend): Promise<Session> {
  const key = `${mode.id}/${backend}`;
  let session = sessions.get(key);
  if (!session) {
    session = createSession(mode, backend);
    sessions.set(key, session);
    session.catch(() => sessions.delete(key));
  }
  return session;
}

/** A WebGPU session, or WASM's if WebGPU failed before or fails now. */
async function usableSession(mode: BrowserMode, backend: Backend): Promise<Session> {
  if (backend === "webgpu" && !webGpuFailure) {
    try {
      return await sessionFor(mode, "webgpu");
    } catch (error) {
      webGpuFailed(error);
    }
  }
  return sessionFor(mode, "wasm");
}

/**
 * The segmenter for `mode` (its sessions created on first use and shared).
 * @example const mask = await (await browserSegmenter("quality")).segment(frame); // 320² mask
 */
export async function browserSegmenter(modeId: ModeId, prefer?: Backend): Promise<Segmenter> {
  const mode = BROWSER_MODES[modeId];
  if (!mode) throw new Error(`Unknown mode ${modeId}`);
  let session = await usableSession(mode, await firstBackend(prefer));
  // One run at a time: the input tensor is shared.
  let last: Promise<unknown> = Promise.resolve();
  const segment = (image: RgbaImage): Promise<Uint8Array> => {
    const next = last.then(async () => {
      if (session.backend === "webgpu" && webGpuFailure) session = await sessionFor(mode, "wasm");
      try {
        return await session.run(image);
      } catch (error) {
        if (session.backend !== "webgpu") throw error;
        webGpuFailed(error);
        session = await sessionFor(mode, "wasm");
        return session.run(image);
      }
    });
    last = next.catch(() => undefined);
    return next;
  };
  return {
    mode,
    get backend() {
      return session.backend;
    },
    get threads() {
      return session.threads;
    },
    segment,
  };
}
