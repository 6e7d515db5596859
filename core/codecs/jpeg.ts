/**
 * JPEG decode and encode, a band of rows at a time, with libjpeg-turbo compiled to WASI
 * (codecs/jpeg: binding.c, build.sh). Runtime-neutral: give it the compiled jpeg.wasm module.
 * Rows pass through one small staging buffer in WASM memory (CHUNK_BYTES), and the file stays
 * in JS memory, read 64 KiB at a time (an input stream of wasm-host.ts), so the instance needs
 * little beyond libjpeg's own: a few MCU rows for a baseline file, the whole-image coefficient
 * arrays (JpegHeader.coefficientBytes) for a progressive one.
 */
import type { RowReader, RowWriter } from "./rows";
import { type BaseExports, CodecError, WasmCodec } from "./wasm-host";

type DecoderGetter = `decoder_${"width" | "height" | "output_width" | "output_height" | "progressive" | "components" | "color_space" | "coefficient_bytes" | "warnings"}`;

interface JpegExports extends BaseExports, Record<DecoderGetter, (d: number) => number> {
  decoder_open(input: number, scale: number, maxMemory: number): number;
  decoder_start(d: number): void;
  decoder_read(d: number, out: number, rows: number): number;
  decoder_skip(d: number, rows: number): number;
  decoder_close(d: number): void;
  encoder_open(width: number, height: number, channels: number, quality: number, progressive: number): number;
  encoder_write(e: number, rows: number, count: number): number;
  encoder_finish(e: number): void;
  encoder_output(e: number): number;
  encoder_output_length(e: number): number;
  encoder_output_reset(e: number): void;
  encoder_close(e: number): void;
}

export type JpegColorSpace = "grey" | "ycbcr" | "rgb" | "cmyk" | "ycck" | "unknown";

export interface JpegHeader {
  width: number;
  height: number;
  progressive: boolean;
  components: number;
  colorSpace: JpegColorSpace;
  /** Bytes of DCT coefficients a progressive (multi-scan) decode holds for the whole image, MCU-padded. */
  coefficientBytes: number;
}

export interface JpegDecodeOptions {
  /** DCT scaling: the output is ceil(width / scale) × ceil(height / scale). */
  scale?: 1 | 2 | 4 | 8;
  /** Cap in bytes on libjpeg's allocations, checked when the coefficient arrays of a progressive file are made. */
  maxMemory?: number;
}

export interface JpegEncodeOptions {
  /** 4: RGBA rows (alpha ignored), 1: grey rows. */
  channels: 1 | 4;
  /** 1..100. */
  quality: number;
  /** Progressive holds the coefficients (3 bytes a pixel) and all output in WASM memory until finish. */
  progressive?: boolean;
}

export type JpegReader = RowReader & { warnings(): number };

/** libjpeg's J_COLOR_SPACE numbering. */
const COLOR_SPACES: readonly JpegColorSpace[] = ["unknown", "grey", "rgb", "ycbcr", "cmyk", "ycck"];

/** Staging buffer for rows crossing into or out of WASM memory. */
const CHUNK_BYTES = 256 * 1024;
const MAX_SIDE = 65500; // libjpeg's JPEG_MAX_DIMENSION

export class JpegCodec {
  private readonly host: WasmCodec<JpegExports>;

  constructor(module: WebAssembly.Module) {
    this.host = new WasmCodec<JpegExports>(module, "jpeg");
  }

  /** Reads the header only; throws CodecError on data that is not a readable JPEG header. */
  readHeader(bytes: Uint8Array): JpegHeader {
    const input = this.host.openInput(bytes);
    try {
      return this.host.call((x) => {
        const d = x.decoder_open(input, 1, 0);
        if (!d) throw new CodecError("jpeg: out of memory");
        const header: JpegHeader = {
          width: x.decoder_width(d),
          height: x.decoder_height(d),
          progressive: x.decoder_progressive(d) !== 0,
          components: x.decoder_components(d),
          colorSpace: COLOR_SPACES[x.decoder_color_space(d)] ?? "unknown",
          coefficientBytes: x.decoder_coefficient_bytes(d) >>> 0,
        };
        x.decoder_close(d);
        return header;
      });
    } finally {
      this.host.closeInput(input);
    }
  }

  /**
   * Opens a decoding pass to RGBA rows. The pass reads `bytes` as it goes (a chunk at a time,
   * never copying the whole file into WASM memory): they must not change until the pass ends.
   */
  decode(bytes: Uint8Array, options: JpegDecodeOptions = {}): JpegReader {
    const scale = options.scale ?? 1;
    if (![1, 2, 4, 8].includes(scale)) throw new RangeError(`jpeg: scale ${scale} is not 1, 2, 4 or 8`);
    const maxMemory = options.maxMemory ?? 0;
    if (!Number.isInteger(maxMemory) || maxMemory < 0) throw new RangeError(`jpeg: bad maxMemory ${maxMemory}`);
    return new Decoder(this.host, bytes, scale, Math.min(maxMemory, 0x7fffffff));
  }

  /** Opens an encoding pass (baseline or progressive, 4:2:0 for colour). */
  encode(width: number, height: number, options: JpegEncodeOptions): RowWriter {
    const { channels, quality, progressive = false } = options;
    const within = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
    if (!within(width, MAX_SIDE) || !within(height, MAX_SIDE)) throw new RangeError(`jpeg: bad size ${width}×${height}`);
    if (channels !== 1 && channels !== 4) throw new RangeError(`jpeg: bad channels ${channels}`);
    if (!within(quality, 100)) throw new RangeError(`jpeg: bad quality ${quality}`);
    return new Encoder(this.host, width, height, channels, quality, progressive);
  }

  /** Bytes of the live instance's memory. */
  memoryBytes(): number {
    return this.host.memoryBytes();
  }

  /** The largest memory any instance reached (WASM memory never shrinks). */
  peakBytes(): number {
    return this.host.peakBytes();
  }
}

/** What decoder and encoder share: a handle into one instance, void once that instance is dropped. */
abstract class Pass {
  protected readonly x: JpegExports;
  protected handle = 0;
  protected staging = 0;

  constructor(protected readonly host: WasmCodec<JpegExports>) {
    this.x = host.exports;
  }

  /** Runs `work` if the pass is open; a trap inside voids every pass on the instance. */
  protected use<T>(what: string, work: (x: JpegExports) => T): T {
    if (!this.handle) throw new CodecError(`jpeg: ${what} after the pass was closed`);
    if (!this.host.owns(this.x)) {
      this.handle = 0; // its memory went with the instance
      throw new CodecError(`jpeg: ${what} on a pass lost to an earlier codec error`);
    }
    try {
      return this.host.call(work);
    } finally {
      if (!this.host.owns(this.x)) this.handle = 0;
    }
  }

  protected abstract destroy(x: JpegExports): void;

  close(): void {
    if (this.handle && this.host.owns(this.x)) this.host.call((x) => this.destroy(x));
    this.handle = 0;
  }
}

class Decoder extends Pass implements JpegReader {
  readonly width: number;
  readonly height: number;
  private readonly input: number;
  private row = 0;
  private warningCount = 0;
  private readonly stride: number;
  private readonly chunkRows: number;

  constructor(host: WasmCodec<JpegExports>, bytes: Uint8Array, scale: number, maxMemory: number) {
    super(host);
    this.input = host.openInput(bytes);
    try {
      [this.width, this.height, this.chunkRows] = host.call((x) => {
        this.handle = x.decoder_open(this.input, scale, maxMemory);
        if (this.handle) x.decoder_start(this.handle); // a progressive file is decoded here, every scan
        const width = this.handle && x.decoder_output_width(this.handle);
        const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (width * 4)));
        this.staging = this.handle && x.malloc(chunkRows * width * 4);
        if (!this.staging) {
          if (this.handle) this.destroy(x);
          this.handle = 0;
          throw new CodecError("jpeg: out of memory");
        }
        return [width, x.decoder_output_height(this.handle), chunkRows];
      });
    } catch (error) {
      this.handle = 0;
      host.closeInput(this.input);
      throw error;
    }
    this.stride = this.width * 4;
  }

  read(into: Uint8Array, rows: number): number {
    rows = Math.min(Math.floor(rows), this.height - this.row);
    if (!(rows > 0)) return 0;
    if (into.length < rows * this.stride) throw new RangeError(`jpeg: ${rows} rows need ${rows * this.stride} bytes`);
    const done = this.use("read", (x) => {
      let done = 0;
      while (done < rows) {
        const got = x.decoder_read(this.handle, this.staging, Math.min(this.chunkRows, rows - done));
        if (!got) break;
        into.set(new Uint8Array(x.memory.buffer, this.staging, got * this.stride), done * this.stride);
        done += got;
      }
      return done;
    });
    return this.advance(done);
  }

  skip(rows: number): number {
    rows = Math.min(Math.floor(rows), this.height - this.row);
    if (!(rows > 0)) return 0;
    return this.advance(this.use("skip", (x) => x.decoder_skip(this.handle, rows)));
  }

  warnings(): number {
    return this.warningCount;
  }

  /** Counts rows; the last one ends the pass and frees its memory. */
  private advance(rows: number): number {
    this.row += rows;
    this.warningCount = this.x.decoder_warnings(this.handle);
    if (this.row >= this.height) this.close();
    return rows;
  }

  protected destroy(x: JpegExports): void {
    this.warningCount = x.decoder_warnings(this.handle);
    x.decoder_close(this.handle);
    x.free(this.staging);
  }

  override close(): void {
    super.close();
    this.host.closeInput(this.input);
  }
}

class Encoder extends Pass implements RowWriter {
  private readonly stride: number;
  private readonly chunkRows: number;
  private rowsIn = 0;

  constructor(
    host: WasmCodec<JpegExports>,
    width: number,
    private readonly height: number,
    channels: number,
    quality: number,
    progressive: boolean,
  ) {
    super(host);
    this.stride = width * channels;
    this.chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / this.stride));
    host.call((x) => {
      this.handle = x.encoder_open(width, height, channels, quality, progressive ? 1 : 0);
      this.staging = this.handle && x.malloc(this.chunkRows * this.stride);
      if (!this.staging) {
        if (this.handle) x.encoder_close(this.handle);
        this.handle = 0;
        throw new CodecError("jpeg: out of memory");
      }
    });
  }

  write(rows: Uint8Array, count: number): Uint8Array {
    if (!Number.isInteger(count) || count < 0 || this.rowsIn + count > this.height) {
      throw new RangeError(`jpeg: ${count} more rows would pass the height ${this.height}`);
    }
    if (rows.length < count * this.stride) throw new RangeError(`jpeg: ${count} rows need ${count * this.stride} bytes`);
    return this.use("write", (x) => {
      const parts: Uint8Array[] = [];
      for (let done = 0; done < count; ) {
        const n = Math.min(this.chunkRows, count - done);
        new Uint8Array(x.memory.buffer, this.staging, n * this.stride).set(
          rows.subarray(done * this.stride, (done + n) * this.stride),
        );
        if (x.encoder_write(this.handle, this.staging, n) !== n) throw new CodecError("jpeg: rows refused");
        done += n;
        parts.push(this.drain(x));
      }
      this.rowsIn += count;
      return concat(parts);
    });
  }

  finish(): Uint8Array {
    const tail = this.use("finish", (x) => (x.encoder_finish(this.handle), this.drain(x)));
    this.close();
    return tail;
  }

  /** Takes the output produced so far out of WASM memory. */
  private drain(x: JpegExports): Uint8Array {
    const length = x.encoder_output_length(this.handle);
    const out = new Uint8Array(new Uint8Array(x.memory.buffer, x.encoder_output(this.handle), length));
    x.encoder_output_reset(this.handle);
    return out;
  }

  protected destroy(x: JpegExports): void {
    x.encoder_close(this.handle);
    x.free(this.staging);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
