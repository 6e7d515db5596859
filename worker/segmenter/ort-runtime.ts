/**
 * onnxruntime-web's WASM backend, made to start inside workerd.
 *
 * workerd refuses to compile WebAssembly from bytes at run time, and ORT ignores an
 * `instantiateWasm` hook: it always calls `WebAssembly.instantiate(env.wasm.wasmBinary, imports)`.
 * So `wasmBinary` is set to a small marker buffer and `WebAssembly.instantiate` is wrapped: when
 * it is handed the marker it instantiates the module wrangler compiled at deploy time
 * (`CompiledWasm` rule). Every other call goes to the original. The same code runs in Node.
 */
import * as ort from "onnxruntime-web/wasm";
// wrangler's module collector resolves only relative paths for its [[rules]] types.
import ortWasmModule from "../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm";

const MARKER = new ArrayBuffer(16);
let memory: WebAssembly.Memory | undefined;
let configured = false;
let reserving = false;

function isMarker(source: unknown): boolean {
  return source === MARKER || (ArrayBuffer.isView(source) && source.buffer === MARKER);
}

/** ORT's threaded build creates its memory in JS and passes it in; remember it for the budget. */
function findMemory(imports: WebAssembly.Imports | undefined, instance: WebAssembly.Instance): WebAssembly.Memory | undefined {
  for (const namespace of Object.values(imports ?? {})) {
    for (const value of Object.values(namespace)) if (value instanceof WebAssembly.Memory) return value;
  }
  return Object.values(instance.exports).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
}

function hookInstantiate(): void {
  const original = WebAssembly.instantiate.bind(WebAssembly) as (...args: unknown[]) => Promise<unknown>;
  const hooked = async (source: unknown, imports?: WebAssembly.Imports) => {
    if (!isMarker(source)) return original(source, imports);
    const instance = await WebAssembly.instantiate(ortWasmModule, imports);
    memory = findMemory(imports, instance);
    return { instance, module: ortWasmModule };
  };
  WebAssembly.instantiate = hooked as typeof WebAssembly.instantiate;
}

/** Returns ORT configured for one thread in this isolate; safe to call many times. */
export function onnxRuntime(): typeof ort {
  if (!configured) {
    hookInstantiate();
    ort.env.wasm.wasmBinary = MARKER;
    ort.env.wasm.numThreads = 1; // Workers have no threads
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    configured = true;
  }
  return ort;
}

/** Bytes held by ORT's WebAssembly memory (0 before the first session). It never shrinks. */
export function ortMemoryBytes(): number {
  return memory?.buffer.byteLength ?? 0;
}

/**
 * Makes ORT's memory start at `bytes` when it is created (no-op once it exists). ORT's threaded
 * build creates its heap in JS (`new WebAssembly.Memory({ shared: true })`) on the first
 * session. Emscripten grows by x1.2 steps, so a model whose high-water lies just past a step
 * would hold up to 20 % more than it needs; starting at the measured high-water pins it. The
 * memory must not be grown from outside afterwards: Emscripten's views of the heap would not
 * see the new pages, and ORT copies tensors through them.
 */
export function reserveMemory(bytes: number): void {
  if (memory || reserving) return;
  reserving = true;
  const Native = WebAssembly.Memory;
  const pages = Math.ceil(bytes / 65536);
  class ReservedMemory extends Native {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(descriptor.shared && descriptor.initial < pages ? { ...descriptor, initial: pages } : descriptor);
      WebAssembly.Memory = Native; // only ORT's heap
    }
  }
  WebAssembly.Memory = ReservedMemory;
}
