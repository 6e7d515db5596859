/**
 * Hosts a codec compiled from C to WASI (reactor model), the same way in workerd, Node and
 * browsers: the caller hands over an already compiled `WebAssembly.Module` (workerd forbids
 * compiling bytes at run time; wrangler compiles `.wasm` imports at deploy time).
 *
 * The C libraries report fatal errors through a callback that must not return, and wasi-libc
 * has no setjmp, so the bindings trap (`__builtin_trap`) after writing the message to a static
 * buffer. A trap leaves the instance's heap in an unknown state: this host reads the message,
 * drops the instance and instantiates the module afresh on the next call. Memory of a dropped
 * instance is garbage; `peakBytes` keeps the largest memory any instance reached.
 */

/** A failure reported by the C library (corrupt data, unsupported file, over a memory cap). */
export class CodecError extends Error {
  override name = "CodecError";
}

/** The exports every binding has, beside its own. */
export interface BaseExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  /** NUL-terminated message of the last fatal error (0 if none). */
  codec_last_error(): number;
  _initialize?: () => void;
}

const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;

/** WASI preview 1, stubbed: the codecs read and write memory only, never files or clocks. */
function wasiStubs(memory: () => WebAssembly.Memory): Record<string, (...args: number[]) => number> {
  return {
    environ_sizes_get: (count, size) => {
      const view = new DataView(memory().buffer);
      view.setUint32(count, 0, true);
      view.setUint32(size, 0, true);
      return 0;
    },
    environ_get: () => 0,
    fd_close: () => ERRNO_BADF,
    fd_seek: () => ERRNO_BADF,
    fd_read: () => ERRNO_BADF,
    fd_fdstat_get: () => ERRNO_BADF,
    fd_write: () => ERRNO_BADF,
    clock_time_get: () => ERRNO_NOSYS,
    proc_exit: (code) => {
      throw new CodecError(`codec exited with status ${code}`);
    },
  };
}

export class WasmCodec<E extends BaseExports> {
  private current: E | undefined;
  private peak = 0;
  /** Instances dropped after a trap since this host was made. */
  traps = 0;

  constructor(
    private readonly module: WebAssembly.Module,
    readonly name: string,
  ) {}

  /** The live instance's exports, instantiated on first use (synchronously: the module is compiled). */
  get exports(): E {
    if (!this.current) {
      let exports: E | undefined;
      const instance = new WebAssembly.Instance(this.module, {
        wasi_snapshot_preview1: wasiStubs(() => (exports as E).memory),
      });
      exports = instance.exports as unknown as E;
      exports._initialize?.();
      this.current = exports;
    }
    return this.current;
  }

  /**
   * Runs `work` against the instance. A trap becomes a CodecError with the library's message,
   * and the instance is dropped, so every handle into it is invalid afterwards.
   */
  call<T>(work: (exports: E) => T): T {
    const exports = this.exports;
    try {
      return work(exports);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      const message = this.lastError(exports) ?? error.message;
      this.drop();
      throw new CodecError(`${this.name}: ${message}`, { cause: error });
    } finally {
      this.notePeak();
    }
  }

  /** True while `exports` is the instance a handle was opened on (a trap replaces it). */
  owns(exports: E): boolean {
    return this.current === exports;
  }

  /** Bytes of the live instance's memory (0 before the first call). */
  memoryBytes(): number {
    return this.current?.memory.buffer.byteLength ?? 0;
  }

  /** The largest memory any instance of this codec has had (WASM memory never shrinks). */
  peakBytes(): number {
    this.notePeak();
    return this.peak;
  }

  /** Forgets the instance, so its memory can be collected; the next call starts afresh. */
  drop(): void {
    this.notePeak();
    this.current = undefined;
  }

  private notePeak(): void {
    this.peak = Math.max(this.peak, this.memoryBytes());
  }

  private lastError(exports: E): string | undefined {
    try {
      const at = exports.codec_last_error();
      if (!at) return undefined;
      const bytes = new Uint8Array(exports.memory.buffer, at, Math.min(512, exports.memory.buffer.byteLength - at));
      const end = bytes.indexOf(0);
      return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end)) || undefined;
    } catch {
      return undefined;
    }
  }
}

/** Copies `bytes` into the instance's heap; the caller frees the pointer. */
export function copyIn(exports: BaseExports, bytes: Uint8Array): number {
  const at = exports.malloc(Math.max(1, bytes.length));
  if (!at) throw new CodecError("out of memory copying the file in");
  new Uint8Array(exports.memory.buffer, at, bytes.length).set(bytes);
  return at;
}
