/**
 * Loads onnxruntime-web in the browser, from the site itself (no CDN): WebGPU through ORT's
 * JSPI build when the browser has a GPU adapter and JSPI, the WASM backend otherwise. Each
 * build is fetched only when chosen, and loaded once.
 *
 * Threads: ORT's WASM threads need SharedArrayBuffer, which a page has only when it is
 * cross-origin isolated (COOP + COEP: site/build.mjs writes them in `_headers` for /webcam and
 * /video). Without isolation ORT silently falls back to one thread; so the count is asked for
 * only where `crossOriginIsolated` is true. `?threads=N` overrides it (the benchmark's 1-thread row).
 */
import type * as Ort from "onnxruntime-web";

export type Backend = "webgpu" | "wasm";

export interface Runtime {
  ort: typeof Ort;
  backend: Backend;
  executionProviders: string[];
  /** WASM threads ORT was told to use. */
  threads: number;
}

/** More threads than this gain nothing on u2netp's small convolutions (and cost memory). */
const MAX_THREADS = 4;

/**
 * Where the build (site/build.mjs) puts each of ORT's builds: its own bundle (JS glue inside),
 * imported by URL so that its thread workers can load the same file, and its .wasm (given as
 * a file, not a prefix, so ORT does not fetch a separate .mjs glue).
 */
const BUILDS: Record<Backend, { module: string; wasm: string }> = {
  webgpu: { module: "/ort/ort.jspi.bundle.min.mjs", wasm: "/ort/ort-wasm-simd-threaded.jspi.wasm" },
  wasm: { module: "/ort/ort.wasm.bundle.min.mjs", wasm: "/ort/ort-wasm-simd-threaded.wasm" },
};

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu || !("Suspending" in WebAssembly)) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false; // an adapter request that throws means no usable GPU, same as null
  }
}

/** Threads for the WASM backend: the cores, capped, when the page is cross-origin isolated. */
export function wasmThreads(): number {
  const asked = Number(new URLSearchParams(location.search).get("threads"));
  if (!globalThis.crossOriginIsolated) return 1;
  if (asked >= 1) return Math.min(MAX_THREADS, Math.floor(asked));
  return Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1));
}

const loaded = new Map<Backend, Promise<Runtime>>();

async function load(backend: Backend): Promise<Runtime> {
  const build = BUILDS[backend];
  const ort = (await import(/* a URL, left to the browser */ build.module)) as typeof Ort;
  ort.env.wasm.wasmPaths = { wasm: new URL(build.wasm, location.href).href };
  // WebGPU keeps the work on the GPU: its CPU side stays on one thread.
  const threads = backend === "webgpu" ? 1 : wasmThreads();
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
  return { ort, backend, threads, executionProviders: backend === "webgpu" ? ["webgpu"] : ["wasm"] };
}

/** The runtime for `backend`, loaded once. */
export function runtimeFor(backend: Backend): Promise<Runtime> {
  let runtime = loaded.get(backend);
  if (!runtime) {
    runtime = load(backend);
    loaded.set(backend, runtime);
    runtime.catch(() => loaded.delete(backend));
  }
  return runtime;
}

let webGpuProbe: Promise<boolean> | undefined;

/**
 * The backend to try first: WebGPU when the browser has an adapter, unless `prefer` is "wasm"
 * (`?backend=wasm`). The adapter is asked for once per page (the pages ask every frame).
 */
export async function firstBackend(prefer?: Backend): Promise<Backend> {
  if (prefer === "wasm") return "wasm";
  webGpuProbe ??= hasWebGpu();
  return (await webGpuProbe) ? "webgpu" : "wasm";
}
