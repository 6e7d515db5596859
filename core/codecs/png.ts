/**
 * PNG decoding on libspng (codecs/png, built by codecs/png/build.sh) as RGBA8 rows.
 * The file stays in JS memory, read 64 KiB at a time (an input stream of wasm-host.ts), and
 * non-interlaced files stream a band of rows at a time, so only O(width) bytes live in WASM
 * memory; Adam7-interlaced files cannot be streamed and are decoded whole inside
 * WASM first (width*height*4 bytes, `bufferedBytes`), refused over `maxBuffered`.
 */
import type { RowReader } from "./rows";
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
