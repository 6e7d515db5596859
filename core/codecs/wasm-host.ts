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
 *
 * Files to decode stay in JS memory: a pass registers its bytes as an input stream (`openInput`)
 * and hands the id to the binding, which pulls them a chunk at a time through two imports,
 * `env.read_input(id, to, max) -> copied` and `env.skip_input(id, bytes) -> skipped`. So the
 * instance's memory, which never shrinks, grows by a chunk buffer, not by the file. Each stream
 * has its own position, so several passes may read at once; dropping the instance forgets them.
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

/** A file a pass reads, and how far it has read. */
interface Input {
  bytes: Uint8Array;
  at: number;
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
  /** Input streams of the live instance's passes, by id. */
  private readonly inputs = new Map<number, Input>();
  /** Ids are never reused (below 2^31, an i32 on the WASM side), so a stale one finds nothing. */
  private lastInput = 0;
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
        env: this.inputImports(() => (exports as E).memory),
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

  /**
   * Registers `bytes` as an input stream at its start; the binding reads it through the id.
   * The bytes must not change until `closeInput` (they are read as the pass goes, not copied).
   */
  openInput(bytes: Uint8Array): number {
    this.lastInput = (this.lastInput % 0x7fffffff) + 1;
    this.inputs.set(this.lastInput, { bytes, at: 0 });
    return this.lastInput;
  }

  /** Forgets an input stream (the reference to its bytes); safe to call twice, or after a drop. */
  closeInput(id: number): void {
    this.inputs.delete(id);
  }

  /** Input streams open now (for tests: every pass closes its own). */
  openInputs(): number {
    return this.inputs.size;
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
    this.inputs.clear(); // the passes reading them went with the instance
  }

  /**
   * The `env` imports. They never throw (an exception unwinding through C frames would leave
   * the instance as unknown as a trap does, without the host noticing): an unknown id or a bad
   * pointer reads as the end of the file, which the bindings report as a truncated file.
   */
  private inputImports(memory: () => WebAssembly.Memory): Record<string, (...args: number[]) => number> {
    return {
      read_input: (id, to, max) => {
        const input = this.inputs.get(id);
        if (!input) return 0;
        const n = Math.min(max >>> 0, input.bytes.length - input.at);
        if (n <= 0) return 0;
        try {
          new Uint8Array(memory().buffer, to >>> 0, n).set(input.bytes.subarray(input.at, input.at + n));
        } catch {
          return 0;
        }
        input.at += n;
        return n;
      },
      skip_input: (id, bytes) => {
        const input = this.inputs.get(id);
        if (!input) return 0;
        const n = Math.max(0, Math.min(bytes >>> 0, input.bytes.length - input.at));
        input.at += n;
        return n;
      },
    };
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
