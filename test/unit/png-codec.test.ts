import { describe, expect, it } from "vitest";
import { PngCodec } from "../../core/codecs/png";
import pngModule from "../../core/codecs/png.wasm";
import type { RowReader } from "../../core/codecs/rows";
import { CodecError } from "../../core/codecs/wasm-host";
import { encodePng } from "../support/png-compression-stream";
import { decode, fixture, mismatches } from "../helpers";

// A test-only PNG writer for the kinds encodePng does not write: any bit depth and colour type,
// palette, tRNS, Adam7, every filter type (cycled by row) and IDAT split into odd-sized chunks.
interface Spec {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced?: boolean;
  /** Sample `c` of pixel (x, y) at the file's bit depth (a palette index for colour type 3). */
  sample: (x: number, y: number, c: number) => number;
  palette?: number[][]; // [r, g, b, a?]
  trnsKey?: number[]; // grey or RGB value that is transparent
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
const CRC = Uint32Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});

type Chunk = [type: string, data: Uint8Array];

function pngFile(chunks: Chunk[]): Uint8Array {
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const out = new Uint8Array(data.length + 12);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    let c = 0xffffffff;
    for (let i = 4; i < data.length + 8; i++) c = CRC[(c ^ out[i]) & 0xff] ^ (c >>> 8);
    view.setUint32(data.length + 8, (c ^ 0xffffffff) >>> 0);
    parts.push(out);
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlaced = false): Chunk {
  const u32 = (v: number) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];
  return ["IHDR", Uint8Array.from([...u32(width), ...u32(height), bitDepth, colorType, 0, 0, interlaced ? 1 : 0])];
}

function paeth(a: number, b: number, c: number): number {
  const [pa, pb, pc] = [Math.abs(b - c), Math.abs(a - c), Math.abs(a + b - 2 * c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The filtered scanlines of every pass, deflated (zlib format). */
async function imageData(spec: Spec): Promise<Uint8Array> {
  const channels = CHANNELS[spec.colorType];
  const bits = channels * spec.bitDepth;
  const bpp = Math.max(1, bits >> 3);
  const stream = new CompressionStream("deflate");
  const writer = stream.writable.getWriter();
  const compressed = new Response(stream.readable).arrayBuffer();
  const passes = spec.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  let band: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const xs = Array.from({ length: Math.max(0, Math.ceil((spec.width - x0) / dx)) }, (_, i) => x0 + i * dx);
    if (!xs.length) continue;
    const rowBytes = Math.ceil((xs.length * bits) / 8);
    let prev = new Uint8Array(rowBytes);
    for (let y = y0, row = 0; y < spec.height; y += dy, row++) {
      const raw = new Uint8Array(rowBytes);
      let bit = 0;
      for (const x of xs) {
        for (let c = 0; c < channels; c++, bit += spec.bitDepth) {
          const v = spec.sample(x, y, c);
          if (spec.bitDepth === 16) (raw[bit >> 3] = v >> 8), (raw[(bit >> 3) + 1] = v & 255);
          else raw[bit >> 3] |= v << (8 - spec.bitDepth - (bit & 7));
        }
      }
      const out = new Uint8Array(rowBytes + 1);
      const type = (out[0] = (row + y0) % 5);
      for (let i = 0; i < rowBytes; i++) {
        const [a, b, c] = [i >= bpp ? raw[i - bpp] : 0, prev[i], i >= bpp ? prev[i - bpp] : 0];
        out[i + 1] = raw[i] - [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
      }
      band.push(out);
      prev = raw;
      if (band.length >= 256) await writer.write(concat(band.splice(0)));
    }
  }
  if (band.length) await writer.write(concat(band));
  await writer.close();
  return new Uint8Array(await compressed);
}

async function writePng(spec: Spec, extra: Chunk[] = []): Promise<Uint8Array> {
  const chunks: Chunk[] = [ihdr(spec.width, spec.height, spec.bitDepth, spec.colorType, spec.interlaced), ...extra];
  if (spec.palette) chunks.push(["PLTE", Uint8Array.from(spec.palette.flatMap((e) => e.slice(0, 3)))]);
  // A palette's tRNS may stop early: the entries after it are opaque.
  const alphas = (spec.palette ?? []).map((e) => e[3] ?? 255);
  while (alphas.at(-1) === 255) alphas.pop();
  if (alphas.length) chunks.push(["tRNS", Uint8Array.from(alphas)]);
  if (spec.trnsKey) chunks.push(["tRNS", Uint8Array.from(spec.trnsKey.flatMap((v) => [v >> 8, v & 255]))]);
  const data = await imageData(spec);
  for (let at = 0; at < data.length; at += 8191) chunks.push(["IDAT", data.subarray(at, at + 8191)]);
  return pngFile([...chunks, ["IEND", new Uint8Array()]]);
}

/** RGBA8 as spng gives it: 16-bit samples keep their high byte (truncation, not rounding). */
function expected(spec: Spec): Uint8Array {
  const [out, channels] = [new Uint8Array(spec.width * spec.height * 4), CHANNELS[spec.colorType]];
  const to8 = (v: number) => (spec.bitDepth === 16 ? v >> 8 : Math.round((v * 255) / (2 ** spec.bitDepth - 1)));
  for (let y = 0, at = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++, at += 4) {
      const s = Array.from({ length: channels }, (_, c) => spec.sample(x, y, c));
      const colour = channels >= 3 ? s.slice(0, 3) : [s[0], s[0], s[0]];
      const keyed = spec.trnsKey?.every((v, i) => v === s[i]);
      const alpha = channels % 2 === 0 ? to8(s[channels - 1]) : keyed ? 0 : 255;
      const entry = spec.palette?.[s[0]];
      out.set(entry ? [...entry.slice(0, 3), entry[3] ?? 255] : [...colour.map(to8), alpha], at);
    }
  }
  return out;
}

function readAll(reader: RowReader, band = 13): Uint8Array {
  const [out, stride] = [new Uint8Array(reader.width * reader.height * 4), reader.width * 4];
  let y = 0;
  for (let n; (n = reader.read(out.subarray(y * stride), band)); y += n);
  expect(y).toBe(reader.height);
  reader.close();
  return out;
}

const hash = (x: number, y: number, c: number) => Math.imul(x * 73856093 + y * 19349663 + c * 83492791, 0x9e3779b1) >>> 7;

describe("PNG codec (libspng in WASM)", () => {
  const codec = new PngCodec(pngModule);
  const valid = () => writePng({ width: 9, height: 5, bitDepth: 8, colorType: 2, sample: hash });
  const stillWorks = async () => expect(readAll(codec.decode(await valid())).length).toBe(9 * 5 * 4);

  it.each(["astronaut", "camera", "chelsea", "coffee"])("decodes %s.png exactly as photon does", async (name) => {
    const bytes = await fixture(`images/${name}.png`);
    const reference = decode(bytes);
    const header = codec.readHeader(bytes);
    expect([header.width, header.height, header.bitDepth, header.bufferedBytes]).toEqual([reference.width, reference.height, 8, 0]);
    expect(mismatches(readAll(codec.decode(bytes), 17), reference.rgba)).toBe(0);
  });

  it("decodes encodePng's grey files exactly", async () => {
    const grey = Uint8Array.from({ length: 31 * 17 }, (_, i) => (i * 37) & 255);
    const file = new Uint8Array(await new Blob(await encodePng(grey, 31, 17, 1)).arrayBuffer());
    const rgba = readAll(codec.decode(file));
    expect(mismatches(rgba, Uint8Array.from(rgba, (_, i) => (i % 4 === 3 ? 255 : grey[i >> 2])))).toBe(0);
  });

  const kinds: [string, Omit<Spec, "width" | "height" | "interlaced">][] = [
    ["grey 1-bit", { bitDepth: 1, colorType: 0, sample: (x, y) => (x ^ y) & 1 }],
    ["grey 4-bit", { bitDepth: 4, colorType: 0, sample: (x, y) => hash(x, y, 0) & 15 }],
    ["grey 8-bit + tRNS", { bitDepth: 8, colorType: 0, sample: (x, y) => hash(x, y, 0) & 7, trnsKey: [3] }],
    ["grey 16-bit + tRNS", { bitDepth: 16, colorType: 0, sample: (x, y) => [0x12ff, 0x1300, hash(x, y, 0) & 0xffff][(x + y) % 3], trnsKey: [0x1300] }],
    ["grey+alpha 8-bit", { bitDepth: 8, colorType: 4, sample: (x, y, c) => hash(x, y, c) & 255 }],
    ["grey+alpha 16-bit", { bitDepth: 16, colorType: 4, sample: (x, y, c) => hash(x, y, c) & 0xffff }],
    ["RGB 8-bit + tRNS", { bitDepth: 8, colorType: 2, sample: (x, y, c) => ((x + y) % 4 ? hash(x, y, c) & 255 : [10, 20, 30][c]), trnsKey: [10, 20, 30] }],
    ["RGB 16-bit + tRNS", { bitDepth: 16, colorType: 2, sample: (x, y, c) => ((x + y) % 4 ? hash(x, y, c) & 0xffff : [0x100, 0x2ff, 0x300][c]), trnsKey: [0x100, 0x2ff, 0x300] }],
    ["RGBA 8-bit", { bitDepth: 8, colorType: 6, sample: (x, y, c) => hash(x, y, c) & 255 }],
    ["RGBA 16-bit", { bitDepth: 16, colorType: 6, sample: (x, y, c) => hash(x, y, c) & 0xffff }],
    ["palette 8-bit + tRNS", { bitDepth: 8, colorType: 3, sample: (x, y) => hash(x, y, 0) % 200, palette: Array.from({ length: 200 }, (_, i) => (i < 50 ? [i, 255 - i, i * 3 & 255, i * 5] : [i, i >> 1, 7])) }],
    ["palette 2-bit", { bitDepth: 2, colorType: 3, sample: (x, y) => (x + 2 * y) & 3, palette: [[255, 0, 0], [0, 255, 0], [0, 0, 255, 128], [9, 9, 9]] }],
  ];
  for (const interlaced of [false, true]) {
    it.each(kinds)(`decodes ${interlaced ? "Adam7 " : ""}%s exactly`, async (_, kind) => {
      for (const [width, height] of [[37, 23], [1, 1], [3, 2], [9, 130]]) {
        const spec = { ...kind, width, height, interlaced };
        const file = await writePng(spec);
        const header = codec.readHeader(file);
        expect(header).toEqual({ width, height, bitDepth: spec.bitDepth, colorType: spec.colorType, interlaced, bufferedBytes: interlaced ? width * height * 4 : 0 });
        expect(mismatches(readAll(codec.decode(file), 5), expected(spec))).toBe(0);
      }
    });
  }

  it("decodes a real photo re-encoded Adam7-interlaced", async () => {
    const photo = decode(await fixture("images/chelsea.png"));
    const sample = (x: number, y: number, c: number) => photo.rgba[(y * photo.width + x) * 4 + c];
    const file = await writePng({ width: photo.width, height: photo.height, bitDepth: 8, colorType: 6, interlaced: true, sample });
    expect(mismatches(readAll(codec.decode(file)), photo.rgba)).toBe(0);
  });

  it("skips rows, and runs passes one after another or side by side on the same bytes", async () => {
    for (const interlaced of [false, true]) {
      const spec: Spec = { width: 21, height: 40, bitDepth: 8, colorType: 6, interlaced, sample: hash };
      const file = await writePng(spec);
      const whole = expected(spec);
      const [a, b] = [codec.decode(file), codec.decode(file)];
      expect(a.skip(15)).toBe(15);
      const rest = new Uint8Array(25 * 21 * 4);
      expect(a.read(rest, 100)).toBe(25);
      expect(mismatches(rest, whole.subarray(15 * 21 * 4))).toBe(0);
      expect(a.read(rest, 1)).toBe(0);
      expect(mismatches(readAll(b), whole)).toBe(0);
      expect(mismatches(readAll(codec.decode(file)), whole)).toBe(0);
      a.close();
    }
  });

  describe("refuses bad files with a CodecError, and works afterwards", () => {
    const spec: Spec = { width: 300, height: 200, bitDepth: 8, colorType: 2, sample: hash };
    const drain = (file: Uint8Array, options = {}) => () => readAll(codec.decode(file, options));

    it("IDAT that ends early (a clean file otherwise)", async () => {
      const data = await imageData(spec);
      const file = pngFile([ihdr(300, 200, 8, 2), ["IDAT", data.subarray(0, data.length >> 1)], ["IEND", new Uint8Array()]]);
      const reader = codec.decode(file);
      expect(() => readAll(reader)).toThrow(CodecError);
      expect(() => reader.read(new Uint8Array(1200), 1), "and again, never 0 rows as if done").toThrow(CodecError);
      reader.close();
      await stillWorks();
    });

    it.each([false, true])("a truncated file, cut anywhere (interlaced: %s)", async (interlaced) => {
      const file = await writePng({ ...spec, interlaced });
      // Up to the last IDAT's CRC and IEND: every row may be out before the cut is found.
      for (const end of [0, 7, 20, 40, 1000, file.length >> 1, file.length - 30, file.length - 13, file.length - 8]) {
        expect(drain(file.subarray(0, end)), `cut at ${end}`).toThrow(/cut short/);
      }
      await stillWorks();
    });

    it("bad CRCs in IHDR and IDAT", async () => {
      const file = await writePng(spec);
      const badHeader = file.slice();
      badHeader[29] ^= 1; // IHDR's CRC
      expect(() => codec.readHeader(badHeader)).toThrow(/checksum/);
      expect(drain(badHeader)).toThrow(/checksum/);
      const badData = file.slice();
      badData[33 + 8 + 8191] ^= 1; // the first IDAT's CRC
      expect(drain(badData)).toThrow(/checksum/);
      await stillWorks();
    });

    it("a tiny file that declares 100000×100000", async () => {
      const file = pngFile([ihdr(100000, 100000, 8, 6), ["IDAT", await imageData({ ...spec, width: 10, height: 1 })], ["IEND", new Uint8Array()]]);
      expect(() => codec.readHeader(file)).toThrow(/limit/);
      const lax = new PngCodec(pngModule, { maxSide: 1 << 20 });
      expect(drain(file)).toThrow(/limit/);
      const reader = lax.decode(file);
      expect(() => reader.read(new Uint8Array(100000 * 4 * 2), 2)).toThrow(CodecError);
      expect(lax.peakBytes()).toBeLessThan(4 << 20); // a row at a time, never the 40 GB image
      await stillWorks();
    });

    it("an ancillary chunk that inflates past the chunk limit", async () => {
      const bomb = new Blob([new Uint8Array(16 << 20)]).stream().pipeThrough(new CompressionStream("deflate"));
      const iccp = concat([new TextEncoder().encode("bomb\0\0"), new Uint8Array(await new Response(bomb).arrayBuffer())]);
      expect(drain(await writePng(spec, [["iCCP", iccp]]))).toThrow(/limit/);
      await stillWorks();
    });
  });

  describe("memory", () => {
    const big: Spec = { width: 4000, height: 3000, bitDepth: 8, colorType: 2, sample: (x, y, c) => ((x >> 2) + (y >> 3) * 3 + c * 50 + (hash(x, y, c) & 7)) & 255 };

    it("streams a 12 MP PNG in O(width) memory", async () => {
      const file = await writePng(big);
      const fresh = new PngCodec(pngModule);
      const [reader, rows, started] = [fresh.decode(file), new Uint8Array(4000 * 4 * 64), performance.now()];
      let bad = 0; // spot checks, every 997th pixel
      for (let y = 0, n; (n = reader.read(rows, 64)); y += n) {
        for (let i = 0, x, row; i < n * 16000; i += 4 * 997) {
          [x, row] = [(i >> 2) % 4000, y + Math.floor(i / 16000)];
          if (rows[i] !== big.sample(x, row, 0) || rows[i + 2] !== big.sample(x, row, 2) || rows[i + 3] !== 255) bad++;
        }
      }
      const ms = performance.now() - started;
      console.log(`12 MP PNG (${file.length} bytes): ${ms.toFixed(0)} ms, ${(12000 / ms).toFixed(1)} MP/s, peak WASM ${fresh.peakBytes()} bytes`);
      expect(bad).toBe(0);
      // zlib's window, spng's rows, a band of rows and a 64 KiB input chunk: the file stays in JS.
      expect(fresh.peakBytes()).toBeLessThan(2 << 20);
    });

    it("refuses an interlaced image over maxBuffered before allocating it", async () => {
      const file = await writePng({ ...big, width: 2000, height: 2000, interlaced: true, sample: () => 7 });
      const fresh = new PngCodec(pngModule);
      expect(fresh.readHeader(file).bufferedBytes).toBe(16e6);
      expect(() => fresh.decode(file, { maxBuffered: 8 << 20 })).toThrow(/over the/);
      expect(fresh.peakBytes()).toBeLessThan(2 << 20);
      const rows = readAll(fresh.decode(file, { maxBuffered: 16e6 }), 500);
      expect(rows.every((v, i) => v === (i % 4 === 3 ? 255 : 7))).toBe(true);
    });
  });

  describe("input from JS memory, a chunk at a time", () => {
    // 2000×2000 RGB ramps under 3 bits of noise (mixed: `hash` is linear, which filters undo): about 8 MB.
    const noise = (x: number, y: number, c: number) => {
      let h = hash(x, y, c);
      h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
      return (h ^ (h >>> 13)) >>> 0;
    };
    const large: Spec = { width: 2000, height: 2000, bitDepth: 8, colorType: 2, sample: (x, y, c) => (((x >> 2) + (y >> 3) * 3 + c * 50) % 240) + (noise(x, y, c) & 7) };
    let made: Promise<Uint8Array> | undefined;
    const largeFile = () => (made ??= writePng(large));

    /** Rows `from`… of `spec` that differ from `rows` (RGB images, opaque). */
    const wrongRows = (spec: Spec, rows: Uint8Array, from: number, n: number) => {
      let bad = 0;
      for (let y = from, at = 0; y < from + n; y++) {
        let ok = true;
        for (let x = 0; x < spec.width; x++, at += 4) {
          ok &&= rows[at] === spec.sample(x, y, 0) && rows[at + 1] === spec.sample(x, y, 1) && rows[at + 2] === spec.sample(x, y, 2) && rows[at + 3] === 255;
        }
        if (!ok) bad++;
      }
      return bad;
    };

    it("decodes an 8 MB file with WASM memory growing by far less than the file", async () => {
      const file = await largeFile();
      expect(file.length).toBeGreaterThan(4 << 20);
      const fresh = new PngCodec(pngModule);
      expect(fresh.readHeader(file)).toMatchObject({ width: 2000, height: 2000, interlaced: false });
      const before = fresh.memoryBytes();
      const [reader, rows] = [fresh.decode(file), new Uint8Array(2000 * 4 * 64)];
      let bad = 0;
      for (let y = 0, n; (n = reader.read(rows, 64)); y += n) bad += wrongRows(large, rows, y, n);
      expect(bad).toBe(0);
      console.log(`${file.length} byte PNG: WASM memory ${before} before, peak ${fresh.peakBytes()}`);
      expect(fresh.peakBytes() - before).toBeLessThan(2 << 20);
      expect(fresh.peakBytes()).toBeLessThan(file.length / 2);
    });

    it("runs interleaved passes over the same and other files, each at its own position", async () => {
      const file = await largeFile();
      const small: Spec = { width: 21, height: 40, bitDepth: 8, colorType: 2, sample: (x, y, c) => hash(x, y, c) & 255 };
      const [plain, adam7] = [await writePng(small), await writePng({ ...small, interlaced: true })];
      const fresh = new PngCodec(pngModule);
      const before = fresh.memoryBytes();
      const passes = [
        { spec: large, reader: fresh.decode(file), band: 16, skip: 0 },
        { spec: large, reader: fresh.decode(file), band: 37, skip: 111 },
        { spec: small, reader: fresh.decode(plain), band: 1, skip: 3 },
        { spec: small, reader: fresh.decode(adam7), band: 2, skip: 0 },
      ].map((p) => ({ ...p, row: p.reader.skip(p.skip), rows: new Uint8Array(p.spec.width * 4 * p.band), bad: 0 }));
      for (let open = passes.length; open; ) {
        open = 0;
        for (const p of passes) {
          const n = p.reader.read(p.rows, p.band);
          p.bad += wrongRows(p.spec, p.rows, p.row, n);
          p.row += n;
          if (n) open++;
        }
      }
      expect(passes.map((p) => [p.row, p.bad])).toEqual([[2000, 0], [2000, 0], [40, 0], [40, 0]]);
      expect(fresh.peakBytes() - before).toBeLessThan(3 << 20);
    });

    it("refuses a file cut at or across chunk boundaries, or corrupt, with CodecError", async () => {
      const file = await largeFile();
      const fresh = new PngCodec(pngModule);
      for (const end of [65536, 65537, 2 * 65536 - 1, file.length >> 1, file.length - 13]) {
        expect(() => readAll(fresh.decode(file.subarray(0, end)), 64), `cut at ${end}`).toThrow(/cut short/);
      }
      const corrupt = file.slice();
      corrupt[2 * 65536] ^= 0x40; // inside an IDAT's data or CRC
      expect(() => readAll(fresh.decode(corrupt), 64)).toThrow(CodecError);
      expect(readAll(fresh.decode(file), 500).length).toBe(2000 * 2000 * 4);
    });

    it("reads past chunks larger than the read-ahead buffer", async () => {
      const spec: Spec = { width: 37, height: 23, bitDepth: 8, colorType: 6, sample: (x, y, c) => hash(x, y, c) & 255 };
      const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) & 255);
      const file = await writePng(spec, [["prVt", big], ["prVu", big.subarray(0, 70_000)]]);
      expect(mismatches(readAll(codec.decode(file)), expected(spec))).toBe(0);
      expect(() => readAll(codec.decode(file.subarray(0, 150_000)))).toThrow(/cut short/);
    });
  });
});
