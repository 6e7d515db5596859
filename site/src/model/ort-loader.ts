/**
 * Loads onnxruntime-web in the browser, from the site itself (no CDN): WebGPU through ORT's
 * JSPI build when the browser has a GPU adapter and JSPI, the WASM backend otherwise. Each
 * build is a separate chunk, fetched only when chosen.
 * One thread: WASM threads need cross-origin isolation, and with it ORT 1.30's threaded start
 * never finished here (measured: session creation hung with 2 threads), so it stays off.
 */
import type * as Ort from "onnxruntime-web";

export type Backend = "webgpu" | "wasm";

export interface Runtime {
  ort: typeof Ort;
  backend: Backend;
  executionProviders: string[];
}

/**
 * Where the build (site/build.mjs) puts each build's .wasm. Given as a file (not a prefix) so
 * ORT keeps the JS glue bundled with it instead of fetching the .mjs too.
 */
const WASM_FILES: Record<Backend, string> = {
  webgpu: "/ort/ort-wasm-simd-threaded.jspi.wasm",
  wasm: "/ort/ort-wasm-simd-threaded.wasm",
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

/**
 * Picks and configures the runtime. `prefer: "wasm"` skips the GPU probe (`?backend=wasm`).
 * @example const { ort, executionProviders } = await loadRuntime();
 */
export async function loadRuntime(prefer?: Backend): Promise<Runtime> {
  const gpu = prefer !== "wasm" && (await hasWebGpu());
  const ort: typeof Ort = gpu ? await import("onnxruntime-web/jspi") : await import("onnxruntime-web/wasm");
  ort.env.wasm.wasmPaths = { wasm: new URL(WASM_FILES[gpu ? "webgpu" : "wasm"], location.href).href };
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
  return gpu
    ? { ort, backend: "webgpu", executionProviders: ["webgpu", "wasm"] }
    : { ort, backend: "wasm", executionProviders: ["wasm"] };
}
