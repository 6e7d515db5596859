/**
 * A whole-picture encoder from one of jSquash's emscripten builds (Squoosh's libavif/libaom and
 * libwebp), single-threaded. The runtime hands over the compiled WebAssembly module (workerd
 * compiles no WASM at run time: wrangler does it at deploy time; Node compiles the bytes), so
 * the glue never fetches its .wasm. One instance per isolate, made on first use and kept: its
 * memory never shrinks, and the memory plan starts from what it holds (`memoryBytes`). (A fresh
 * instance per picture, left to the GC, was tried and held more: docs/formats.md.)
 */

/** The part of a jSquash emscripten module this uses. */
interface EmscriptenEncoder {
  encode(data: Uint8Array | Uint8ClampedArray, width: number, height: number, options: object): Uint8Array | null;
  HEAP8: Int8Array;
}

/** The emscripten factory a jSquash codec file exports by default. */
export type EncoderFactory = (overrides: object) => Promise<unknown>;

/** What the pipeline needs of a whole-picture encoder (a stub where a runtime has none). */
export interface PictureEncoder {
  /** Encodes straight-alpha RGBA pixels; `options` are the codec's own (jSquash's meta.ts). */
  encode(pixels: Uint8Array, width: number, height: number, options: object): Promise<Uint8Array>;
  /** Bytes of its WebAssembly memory now (0 before first use). */
  memoryBytes(): number;
}

export class WholeEncoder implements PictureEncoder {
  private instance?: Promise<EmscriptenEncoder>;
  private heap?: EmscriptenEncoder;
  /** Memory of instances dropped after a failure: still counted, as nothing says when it is freed. */
  private dropped = 0;

  constructor(
    private readonly factory: EncoderFactory,
    private readonly module: WebAssembly.Module,
  ) {}

  private load(): Promise<EmscriptenEncoder> {
    this.instance ??= this.factory({
      noInitialRun: true,
      // Instantiate from the compiled module: no fetch, no compile from bytes.
      instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => {
        const instance = new WebAssembly.Instance(this.module, imports);
        done(instance);
        return instance.exports;
      },
    }).then((m) => (this.heap = m as EmscriptenEncoder));
    // A failed load is not kept: the next request tries again.
    this.instance.catch(() => (this.instance = undefined));
    return this.instance;
  }

  async encode(pixels: Uint8Array, width: number, height: number, options: object): Promise<Uint8Array> {
    const codec = await this.load();
    try {
      const bytes = codec.encode(pixels, width, height, options);
      if (!bytes) throw new Error("the encoder failed");
      return bytes;
    } catch (error) {
      // An emscripten module that aborted stays aborted: the next picture gets a fresh one.
      this.dropped += codec.HEAP8.buffer.byteLength;
      this.instance = this.heap = undefined;
      throw error;
    }
  }

  memoryBytes(): number {
    return (this.heap?.HEAP8.buffer.byteLength ?? 0) + this.dropped;
  }
}
