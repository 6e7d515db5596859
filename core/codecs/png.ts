/**
 * PNG decoding on libspng (codecs/png, built by codecs/png/build.sh) as RGBA8 rows, and
 * streaming PNG encoding on the same module's zlib (deflate).
 * The file stays in JS memory, read 64 KiB at a time (an input stream of wasm-host.ts), and
 * non-interlaced files stream a band of rows at a time, so only O(width) bytes live in WASM
 * memory; Adam7-interlaced files cannot be streamed and are decoded whole inside
 * WASM first (width*height*4 bytes, `bufferedBytes`), refused over `maxBuffered`.
 * Encoding takes grey or RGBA rows a band at a time and hands back the file's bytes as zlib
 * produces them: WASM memory is zlib's state, two rows and a staging band, whatever the height.
 */
import type { RowReader, RowWriter } from "./rows";
import { CodecError, WasmCodec, type BaseExports } from "./wasm-host";

interface PngExports extends BaseExports {
  png_open(input: number, maxSide: number): number;
  png_error(decoder: number): number;
  png_width(decoder: number): number;
  png_height(decoder: number): number;
  png_bit_depth(decoder: number): number;
  png_color_type(decoder: number): number;
  png_interlaced(decoder: number): number;
  png_message(code: number): number;
  png_start(decoder: number, maxBuffered: number): number;
  png_read_rows(decoder: number, out: number, rows: number): number;
  png_skip_rows(decoder: number, rows: number): number;
  png_close(decoder: number): void;
  png_encoder_open(width: number, height: number, channels: number, level: number, filter: number): number;
  png_encoder_error(encoder: number): number;
  png_encoder_write(encoder: number, rows: number, count: number): number;
  png_encoder_finish(encoder: number): number;
  png_encoder_output(encoder: number): number;
  png_encoder_output_length(encoder: number): number;
  png_encoder_output_reset(encoder: number): void;
  png_encoder_close(encoder: number): void;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** As in IHDR: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
  /** Bytes the decoder holds beyond O(width): interlaced = width*height*4, else 0. */
  bufferedBytes: number;
}

export interface PngLimits {
  /** Widest and tallest image accepted (checked on the header); default 65535. */
  maxSide?: number;
}

/** PNG's row filters ("adaptive": per row, the one with the least sum of |signed bytes|, as libpng does). */
export type PngFilter = "none" | "sub" | "up" | "average" | "paeth" | "adaptive";

export interface PngEncodeOptions {
  /** 4: RGBA rows (colour type 6), 1: grey rows (colour type 0); 8-bit, packed. */
  channels: 1 | 4;
  /** zlib level, 0 (stored) to 9; default PNG_LEVEL. */
  level?: number;
  /** Default PNG_FILTER. */
  filter?: PngFilter;
}

/**
 * The defaults, chosen by measurement (codecs/png/ENCODING.md: time and size against today's
 * encoder, test/support/png-compression-stream.ts = CompressionStream's level 6 after the Up filter, on 12 and 48 MP
 * photos cut out with 60 % of the pixels transparent, and opaque). Level 4 with Up takes 2.1 to
 * 3.1 times less CPU in Node, and is 1.6 to 2.5 times faster in workerd, for files 6 to 10 %
 * larger. Levels 1 to 3 (zlib's deflate_fast, no lazy matching) are faster still but 16 to 37 %
 * larger: level 4 is the first with lazy matching, and on photos it is much smaller than 3 for
 * little more time. Up is the smallest filter on the camera-sized photos, by 11 to 40 points
 * of size (None is 80 to 105 points larger there, though 5 smaller on a real 5K photo, where Up
 * is still within 10 % of today); the adaptive choice of libpng and spng (least sum of |bytes|
 * per row) costs a third more time and comes out as Paeth, 17 to 24 % larger.
 */
export const PNG_LEVEL = 4;
export const PNG_FILTER: PngFilter = "up";

const FILTERS: readonly PngFilter[] = ["none", "sub", "up", "average", "paeth", "adaptive"];

/** Default cap on an interlaced image held whole (16 MP). */
const MAX_BUFFERED = 64 << 20;
/** IHDR is the first chunk: a header read needs only the start of the file. */
const HEADER_BYTES = 1024;
/** Rows are decoded into a WASM band of about this size, then copied out. */
const BAND_BYTES = 256 << 10;

export class PngCodec {
  private readonly codec: WasmCodec<PngExports>;
  private readonly maxSide: number;

  constructor(module: WebAssembly.Module, limits: PngLimits = {}) {
    this.codec = new WasmCodec<PngExports>(module, "png");
    this.maxSide = limits.maxSide ?? 65535;
  }

  readHeader(bytes: Uint8Array): PngHeader {
    const input = this.codec.openInput(bytes.subarray(0, HEADER_BYTES));
    try {
      return this.codec.call((wasm) => {
        const decoder = this.open(wasm, input);
        try {
          return header(wasm, decoder);
        } finally {
          wasm.png_close(decoder);
        }
      });
    } finally {
      this.codec.closeInput(input);
    }
  }

  /**
   * One pass over the image as RGBA8 rows (16-bit samples keep their high byte, tRNS becomes
   * alpha). The pass reads `bytes` as it goes (a chunk at a time, never copying the whole file
   * into WASM memory): they must not change until the pass ends.
   */
  decode(bytes: Uint8Array, options: { maxBuffered?: number } = {}): RowReader {
    const maxBuffered = options.maxBuffered ?? MAX_BUFFERED;
    const codec = this.codec;
    let decoder = 0;
    let band = 0;
    let input = codec.openInput(bytes);
    let wasm: PngExports;
    let opened: PngHeader;
    try {
      [wasm, opened] = codec.call((wasm) => {
        decoder = this.open(wasm, input);
        try {
          // Refuse from the header, before the image is allocated.
          const head = header(wasm, decoder);
          if (head.bufferedBytes > maxBuffered) {
            throw new CodecError(
              `png: interlaced ${head.width}×${head.height} image needs ${head.bufferedBytes} bytes, over the ${maxBuffered} allowed`,
            );
          }
          check(wasm, decoder, wasm.png_start(decoder, maxBuffered));
          return [wasm, head] as const;
        } catch (error) {
          wasm.png_close(decoder);
          decoder = 0;
          throw error;
        }
      });
    } catch (error) {
      codec.closeInput(input);
      throw error;
    }
    const { width, height } = opened;
    const stride = width * 4;
    const bandRows = Math.max(1, Math.floor(BAND_BYTES / stride));
    let done = 0;
    let failure: unknown;

    const close = () => {
      // After a trap the instance is gone, and the handles with it.
      if (codec.owns(wasm)) {
        if (band) wasm.free(band);
        if (decoder) wasm.png_close(decoder);
      }
      band = decoder = 0;
      codec.closeInput(input);
      input = 0;
    };
    // An error ends the pass: its memory is freed at once, and later calls throw it again.
    const step = (rows: number, work: (rows: number) => number): number => {
      if (failure) throw failure;
      rows = Math.min(rows, height - done);
      if (rows <= 0 || !decoder) return 0;
      try {
        // A trap in another pass replaces the instance this pass's handles point into.
        if (!codec.owns(wasm)) throw new CodecError("png: decoder lost to an earlier failure");
        done += codec.call(() => work(rows));
      } catch (error) {
        failure = error;
        close();
        throw error;
      }
      if (done >= height) close();
      return rows;
    };

    return {
      width,
      height,
      read: (into, rows) => {
        if (done < height && decoder && rows >= 1 && into.length < stride) throw new RangeError("png: buffer smaller than a row");
        return step(Math.min(rows, Math.floor(into.length / stride)), (rows) => {
          if (!band) band = wasm.malloc(Math.min(bandRows, height) * stride);
          if (!band) throw new CodecError("png: out of memory for a band of rows");
          for (let written = 0; written < rows; ) {
            const n = check(wasm, decoder, wasm.png_read_rows(decoder, band, Math.min(bandRows, rows - written)));
            if (!n) throw new CodecError("png: image data ended early"); // never loop on a stuck decoder
            into.set(new Uint8Array(wasm.memory.buffer, band, n * stride), written * stride);
            written += n;
          }
          return rows;
        });
      },
      skip: (rows) => step(rows, (rows) => check(wasm, decoder, wasm.png_skip_rows(decoder, rows))),
      close,
    };
  }

  /**
   * Opens an encoding pass: `write` takes rows (packed, `width * channels` bytes each) and
   * returns the file's bytes produced so far, `finish` the rest once every row is in.
   */
  encode(width: number, height: number, options: PngEncodeOptions): RowWriter {
    const { channels, level = PNG_LEVEL, filter = PNG_FILTER } = options;
    const within = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
    if (!within(width, 0x7fffffff) || !within(height, 0x7fffffff)) throw new RangeError(`png: bad size ${width}×${height}`);
    if (channels !== 1 && channels !== 4) throw new RangeError(`png: bad channels ${channels}`);
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`png: bad level ${level}`);
    if (!FILTERS.includes(filter)) throw new RangeError(`png: bad filter ${filter}`);
    if (width * channels > 0x3fffffff) throw new RangeError(`png: ${width}-pixel rows are too wide`);
    return new PngEncoder(this.codec, width, height, channels, level, FILTERS.indexOf(filter));
  }

  /** Bytes of WASM memory now. */
  memoryBytes(): number {
    return this.codec.memoryBytes();
  }

  /** The most WASM memory the codec has had. */
  peakBytes(): number {
    return this.codec.peakBytes();
  }

  /** Opens a decoder on input stream `input` and reads the header; throws if it is bad. */
  private open(wasm: PngExports, input: number): number {
    const decoder = wasm.png_open(input, this.maxSide);
    if (!decoder) throw new CodecError("png: out of memory opening the file");
    try {
      check(wasm, decoder, 0);
    } catch (error) {
      wasm.png_close(decoder);
      throw error;
    }
    return decoder;
  }
}

class PngEncoder implements RowWriter {
  private readonly wasm: PngExports;
  private readonly stride: number;
  private readonly bandRows: number;
  private encoder = 0;
  private band = 0;
  private rowsIn = 0;
  private failure: unknown;

  constructor(
    private readonly codec: WasmCodec<PngExports>,
    width: number,
    private readonly height: number,
    channels: number,
    level: number,
    filter: number,
  ) {
    this.stride = width * channels;
    this.bandRows = Math.max(1, Math.min(height, Math.floor(BAND_BYTES / this.stride)));
    this.wasm = codec.call((wasm) => {
      const encoder = wasm.png_encoder_open(width, height, channels, level, filter);
      if (!encoder) throw new CodecError("png: out of memory opening an encoder");
      this.encoder = encoder;
      try {
        checkEncoder(wasm, encoder, 0);
        this.band = wasm.malloc(this.bandRows * this.stride);
        if (!this.band) throw new CodecError("png: out of memory for a band of rows");
      } catch (error) {
        this.release(wasm);
        throw error;
      }
      return wasm;
    });
  }

  write(rows: Uint8Array, count: number): Uint8Array {
    if (!Number.isInteger(count) || count < 0 || this.rowsIn + count > this.height) {
      throw new RangeError(`png: ${count} more rows would pass the height ${this.height}`);
    }
    if (rows.length < count * this.stride) throw new RangeError(`png: ${count} rows need ${count * this.stride} bytes`);
    return this.step("write", (wasm) => {
      const parts = [this.drain(wasm)]; // the signature and IHDR, on the first call
      for (let done = 0; done < count; ) {
        const n = Math.min(this.bandRows, count - done);
        new Uint8Array(wasm.memory.buffer, this.band, n * this.stride).set(rows.subarray(done * this.stride, (done + n) * this.stride));
        checkEncoder(wasm, this.encoder, wasm.png_encoder_write(this.encoder, this.band, n));
        parts.push(this.drain(wasm));
        done += n;
      }
      this.rowsIn += count;
      return concat(parts);
    });
  }

  finish(): Uint8Array {
    if (this.rowsIn !== this.height && !this.failure && this.encoder) {
      throw new RangeError(`png: finished after ${this.rowsIn} of ${this.height} rows`);
    }
    const tail = this.step("finish", (wasm) => {
      checkEncoder(wasm, this.encoder, wasm.png_encoder_finish(this.encoder));
      return this.drain(wasm);
    });
    this.close();
    return tail;
  }

  close(): void {
    if (this.codec.owns(this.wasm)) this.release(this.wasm);
    this.encoder = this.band = 0;
  }

  /** Runs `work` on the open pass; an error ends the pass (its memory freed), and later calls throw it again. */
  private step<T>(what: string, work: (wasm: PngExports) => T): T {
    if (this.failure) throw this.failure;
    if (!this.encoder) throw new CodecError(`png: ${what} after the pass was closed`);
    try {
      // A trap in another pass replaces the instance this pass's handles point into.
      if (!this.codec.owns(this.wasm)) throw new CodecError(`png: ${what} on a pass lost to an earlier codec error`);
      return this.codec.call(work);
    } catch (error) {
      this.failure = error;
      this.close();
      throw error;
    }
  }

  /** Takes the output produced so far out of WASM memory (a copy). */
  private drain(wasm: PngExports): Uint8Array {
    const length = wasm.png_encoder_output_length(this.encoder) >>> 0;
    const out = new Uint8Array(new Uint8Array(wasm.memory.buffer, wasm.png_encoder_output(this.encoder), length));
    wasm.png_encoder_output_reset(this.encoder);
    return out;
  }

  private release(wasm: PngExports): void {
    if (this.band) wasm.free(this.band);
    if (this.encoder) wasm.png_encoder_close(this.encoder);
    this.encoder = this.band = 0;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((p) => p.length);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? new Uint8Array(0);
  const out = new Uint8Array(nonEmpty.reduce((n, p) => n + p.length, 0));
  nonEmpty.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Passes `result` through, or throws the encoder's error as a CodecError. */
function checkEncoder(wasm: PngExports, encoder: number, result: number): number {
  const code = wasm.png_encoder_error(encoder);
  if (result >= 0 && code === 0) return result;
  throw new CodecError(`png: ${cString(wasm, wasm.png_message(code))}`);
}

function header(wasm: PngExports, decoder: number): PngHeader {
  const width = wasm.png_width(decoder) >>> 0;
  const height = wasm.png_height(decoder) >>> 0;
  const interlaced = wasm.png_interlaced(decoder) !== 0;
  return {
    width,
    height,
    bitDepth: wasm.png_bit_depth(decoder),
    colorType: wasm.png_color_type(decoder),
    interlaced,
    bufferedBytes: interlaced ? width * height * 4 : 0,
  };
}

/** Passes `result` through, or throws the decoder's error as a CodecError. */
function check(wasm: PngExports, decoder: number, result: number): number {
  const code = wasm.png_error(decoder);
  if (result >= 0 && code === 0) return result;
  throw new CodecError(`png: ${cString(wasm, wasm.png_message(code))}`);
}

function cString(wasm: PngExports, at: number): string {
  if (!at) return "unknown error";
  const bytes = new Uint8Array(wasm.memory.buffer, at);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? 0 : Math.min(end, 256)));
}
