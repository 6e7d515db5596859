/**
 * The PNG encoder (PngCodec.encode: zlib's deflate in png.wasm, codecs/png/binding.c), in
 * workerd: exact round trips through both decoders (our spng and photon's), for grey and RGBA,
 * every filter and a few levels, odd sizes and bands of every shape; output that streams; memory
 * that does not grow with the height; misuse refused; and the speed and size of the default
 * against the earlier encoder (test/support/png-compression-stream.ts) on a 12 MP photo cutout.
 */
import { describe, expect, it } from "vitest";
import { JpegCodec } from "../../core/codecs/jpeg";
import jpegModule from "../../core/codecs/jpeg.wasm";
import { PNG_FILTER, PNG_LEVEL, PngCodec, type PngFilter } from "../../core/codecs/png";
import pngModule from "../../core/codecs/png.wasm";
import type { RowWriter } from "../../core/codecs/rows";
import { CodecError } from "../../core/codecs/wasm-host";
import { pngChunks } from "../support/png-compression-stream";
import { decode, fixture, mismatches } from "../helpers";

const MiB = 1024 * 1024;
const codec = new PngCodec(pngModule);
const FILTERS: PngFilter[] = ["none", "sub", "up", "average", "paeth", "adaptive"];

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Writes `pixels` in bands whose row counts cycle through `bands`; returns every output part. */
function encodeParts(writer: RowWriter, pixels: Uint8Array, stride: number, height: number, bands: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let row = 0, i = 0; row < height; i++) {
    const n = Math.min(bands[i % bands.length], height - row);
    // A band in a larger buffer: only its first n rows count.
    parts.push(writer.write(pixels.subarray(row * stride), n));
    row += n;
  }
  parts.push(writer.finish());
  return parts;
}

/** Every row of a decoding pass, as RGBA. */
function decodeOurs(file: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const reader = codec.decode(file);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  for (let y = 0, n; (n = reader.read(rgba.subarray(y * reader.width * 4), 11)); y += n);
  return { width: reader.width, height: reader.height, rgba };
}

/** RGBA as decoders give a grey image. */
const greyToRgba = (grey: Uint8Array) => Uint8Array.from({ length: grey.length * 4 }, (_, i) => (i % 4 === 3 ? 255 : grey[i >> 2]));

const hash = (i: number, seed: number) => {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
};

/** Pixels with smooth ramps, noise, runs of transparent black and alpha edges: every filter has work. */
function pixels(width: number, height: number, channels: 1 | 4, seed = 1): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * channels;
      const noise = hash(y * width + x, seed);
      const clear = channels === 4 && (x + 2 * y) % 29 < 9;
      for (let c = 0; c < channels; c++) {
        out[at + c] = clear ? 0 : (x * 3 + y * 5 + c * 60 + (noise >>> (c * 8)) % 7) & 255;
      }
      if (channels === 4 && !clear) out[at + 3] = (x + 2 * y) % 29 < 11 ? noise & 255 : 255;
    }
  }
  return out;
}

/** Decodes `file` with both decoders and counts bytes that differ from `rgba`. */
function roundTripErrors(file: Uint8Array, width: number, height: number, rgba: Uint8Array): number[] {
  const ours = decodeOurs(file);
  const photon = decode(file);
  expect([ours.width, ours.height, photon.width, photon.height]).toEqual([width, height, width, height]);
  return [mismatches(ours.rgba, rgba), mismatches(photon.rgba, rgba)];
}

/** A photo cut out as the product does: ~60 % fully transparent with colour 0, a soft 4 px edge. */
function cutout(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const out = rgba.slice();
  const k = Math.sqrt(1.6 / Math.PI); // an ellipse of 40 % of the area
  const [cx, cy, a, b] = [width / 2, height / 2, (k * width) / 2, (k * height) / 2];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [dx, dy] = [(x - cx) / a, (y - cy) / b];
      const t = Math.atan2(dy, dx);
      const inside = (1 - Math.hypot(dx, dy) / (1 + 0.06 * Math.sin(7 * t) + 0.03 * Math.sin(23 * t + 1))) * Math.min(a, b);
      const alpha = inside >= 2 ? 255 : inside <= -2 ? 0 : Math.round(((inside + 2) / 4) * 255);
      const i = (y * width + x) * 4;
      out[i + 3] = alpha;
      if (!alpha) out[i] = out[i + 1] = out[i + 2] = 0;
    }
  }
  return out;
}

async function jpegPixels(path: string): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const reader = new JpegCodec(jpegModule).decode(await fixture(path));
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  for (let y = 0, n; (n = reader.read(rgba.subarray(y * reader.width * 4), 256)); y += n);
  return { width: reader.width, height: reader.height, rgba };
}

describe("PNG encoder (zlib deflate in png.wasm)", () => {
  it("writes the signature and IHDR first, and a file both decoders read exactly", () => {
    const rgba = pixels(37, 23, 4);
    const writer = codec.encode(37, 23, { channels: 4 });
    const first = writer.write(rgba, 0);
    expect([...first.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(first.length).toBe(8 + 25); // signature and IHDR, nothing else yet
    const file = join([first, ...encodeParts(writer, rgba, 37 * 4, 23, [5])]);
    expect(codec.readHeader(file)).toEqual({ width: 37, height: 23, bitDepth: 8, colorType: 6, interlaced: false, bufferedBytes: 0 });
    expect(roundTripErrors(file, 37, 23, rgba)).toEqual([0, 0]);
    expect(new TextDecoder().decode(file.subarray(-8, -4))).toBe("IEND");
  });

  for (const channels of [1, 4] as const) {
    it.each(FILTERS)(`round-trips ${channels === 1 ? "grey" : "RGBA"} exactly with filter %s, odd sizes and bands`, (filter) => {
      const sizes: [number, number][] = [[1, 1], [1, 7], [7, 1], [2, 3], [37, 23], [129, 67], [300, 5]];
      const bandings = [[1], [2, 7, 1, 13], [1000]];
      for (const [width, height] of sizes) {
        const image = pixels(width, height, channels, width * 31 + height);
        const rgba = channels === 4 ? image : greyToRgba(image);
        for (const [i, bands] of bandings.entries()) {
          const level = [PNG_LEVEL, 1, 9][i];
          const writer = codec.encode(width, height, { channels, level, filter });
          const file = join(encodeParts(writer, image, width * channels, height, bands));
          expect(codec.readHeader(file).colorType).toBe(channels === 1 ? 0 : 6);
          expect(roundTripErrors(file, width, height, rgba), `${width}×${height} level ${level} bands ${bands}`).toEqual([0, 0]);
        }
      }
    });
  }

  it("round-trips at every level, 0 (stored) to 9", () => {
    const rgba = pixels(61, 40, 4, 7);
    const sizes = [];
    for (let level = 0; level <= 9; level++) {
      const file = join(encodeParts(codec.encode(61, 40, { channels: 4, level }), rgba, 61 * 4, 40, [3]));
      expect(roundTripErrors(file, 61, 40, rgba), `level ${level}`).toEqual([0, 0]);
      sizes.push(file.length);
    }
    expect(sizes[0]).toBeGreaterThan(61 * 40 * 4); // stored
    expect(sizes[9]).toBeLessThan(sizes[1]);
  });

  it("round-trips a real photo cut out, and streams its bytes as the rows go in", async () => {
    const photo = decode(await fixture("images/chelsea.png"));
    const { width, height } = photo;
    const rgba = cutout(photo.rgba, width, height);
    const parts = encodeParts(codec.encode(width, height, { channels: 4 }), rgba, width * 4, height, [17]);
    // Every part but the small ones between IDAT chunks carries bytes: the file streams.
    expect(parts.slice(0, -1).filter((p) => p.length).length).toBeGreaterThan(1);
    const file = join(parts);
    expect(roundTripErrors(file, width, height, rgba)).toEqual([0, 0]);
    const today = new Uint8Array(await new Response(new Blob(await collect(pngChunks([rgba], width, height, 4)))).arrayBuffer());
    console.log(`chelsea ${width}×${height} cut out: ${file.length} bytes, today's encoder ${today.length} (${((file.length / today.length - 1) * 100).toFixed(1)} %)`);
    expect(file.length).toBeLessThan(today.length * 1.15);
  });

  it("runs several passes side by side on one instance", () => {
    const [a, b] = [pixels(50, 40, 4, 3), pixels(33, 60, 1, 4)];
    const [wa, wb] = [codec.encode(50, 40, { channels: 4, filter: "paeth" }), codec.encode(33, 60, { channels: 1, level: 9 })];
    const [pa, pb]: Uint8Array[][] = [[], []];
    for (let row = 0; row < 60; row += 3) {
      if (row < 40) pa.push(wa.write(a.subarray(row * 200), Math.min(3, 40 - row)));
      pb.push(wb.write(b.subarray(row * 33), 3));
    }
    pa.push(wa.finish());
    pb.push(wb.finish());
    expect(roundTripErrors(join(pa), 50, 40, a)).toEqual([0, 0]);
    expect(roundTripErrors(join(pb), 33, 60, greyToRgba(b))).toEqual([0, 0]);
  });

  it("refuses misuse with RangeError, and an error ends the pass", () => {
    expect(() => codec.encode(0, 5, { channels: 4 })).toThrow(RangeError);
    expect(() => codec.encode(5, 2 ** 31, { channels: 4 })).toThrow(RangeError);
    expect(() => codec.encode(5, 5, { channels: 3 as 4 })).toThrow(RangeError);
    expect(() => codec.encode(5, 5, { channels: 4, level: 10 })).toThrow(RangeError);
    expect(() => codec.encode(5, 5, { channels: 4, filter: "best" as PngFilter })).toThrow(RangeError);
    const rows = pixels(5, 5, 4);
    const writer = codec.encode(5, 5, { channels: 4 });
    expect(() => writer.write(rows, 6)).toThrow(RangeError);
    expect(() => writer.write(rows.subarray(0, 39), 2)).toThrow(RangeError);
    expect(() => writer.write(rows, 1.5)).toThrow(RangeError);
    const parts = [writer.write(rows, 3)];
    expect(() => writer.finish(), "2 rows missing").toThrow(/3 of 5 rows/);
    parts.push(writer.write(rows.subarray(60), 2), writer.finish()); // misuse left the pass open
    expect(roundTripErrors(join(parts), 5, 5, rows)).toEqual([0, 0]);
    expect(() => writer.write(rows, 1), "after finish").toThrow(RangeError);
    expect(() => writer.finish(), "finished twice").toThrow(CodecError);
  });

  it("frees its memory on close, twice is safe, and no call works afterwards", () => {
    const writer = codec.encode(40, 40, { channels: 4 });
    writer.write(pixels(40, 10, 4), 10);
    writer.close();
    writer.close();
    expect(() => writer.write(new Uint8Array(160), 1)).toThrow(CodecError);
    expect(() => writer.finish()).toThrow(CodecError);
    // Opening and closing many passes does not grow the instance.
    const fresh = new PngCodec(pngModule);
    for (let i = 0; i < 50; i++) fresh.encode(2000, 100, { channels: 4 }).close();
    expect(fresh.peakBytes()).toBeLessThan(3 * MiB);
  });

  it("keeps WASM memory O(width): a 2000×8000 photo in under 3 MiB, as much as 2000×1000", async () => {
    const photo = await jpegPixels("large/2000x8000.jpg");
    const rgba = cutout(photo.rgba, 2000, 8000);
    const peaks = [];
    for (const [from, height] of [[3500, 1000], [0, 8000]]) {
      const fresh = new PngCodec(pngModule);
      const writer = fresh.encode(2000, height, { channels: 4 });
      let bytes = 0;
      for (let row = 0; row < height; row += 64) bytes += writer.write(rgba.subarray((from + row) * 8000), Math.min(64, height - row)).length;
      bytes += writer.finish().length;
      peaks.push(fresh.peakBytes());
      console.log(`2000×${height} cutout: ${bytes} bytes of PNG, peak WASM memory ${fresh.peakBytes()} bytes`);
    }
    expect(peaks[1]).toBeLessThan(3 * MiB);
    expect(peaks[1]).toBe(peaks[0]);
    // And the 48 MP-tall file is right.
    const writer = codec.encode(2000, 8000, { channels: 4 });
    const file = join(encodeParts(writer, rgba, 8000, 8000, [100, 37]));
    expect(mismatches(decodeOurs(file).rgba, rgba)).toBe(0);
  });

  const timed: [string, boolean][] = [["4032x3024.jpg", true]];
  it.each(timed)("is faster than today's encoder on %s (cut out: %s), files under 15 % larger", async (name, cut) => {
    const photo = await jpegPixels(`large/${name}`);
    const { width, height } = photo;
    const stride = width * 4;
    const rgba = cut ? cutout(photo.rgba, width, height) : photo.rgba;
    function* bands() {
      for (let row = 0; row < height; row += 64) yield rgba.subarray(row * stride, Math.min(height, row + 64) * stride);
    }
    // workerd's clock moves only across I/O: a timer between the stamps lets it read the time.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    await tick();
    let started = performance.now();
    let todayBytes = 0;
    for await (const part of pngChunks(bands(), width, height, 4)) todayBytes += part.length;
    await tick();
    const todayMs = performance.now() - started;
    await tick();
    started = performance.now();
    const writer = codec.encode(width, height, { channels: 4 });
    let bytes = 0;
    for (const band of bands()) bytes += writer.write(band, band.length / stride).length;
    bytes += writer.finish().length;
    await tick();
    const ms = performance.now() - started;
    const mb = (width * height * 4) / 1e6;
    console.log(
      `${width}×${height} ${cut ? "cutout" : "opaque"} in workerd: today (CompressionStream level 6, Up) ${todayMs.toFixed(0)} ms ${(mb / todayMs * 1000).toFixed(1)} MB/s ${todayBytes} bytes; ` +
        `PngCodec (level ${PNG_LEVEL}, ${PNG_FILTER}) ${ms.toFixed(0)} ms ${(mb / ms * 1000).toFixed(1)} MB/s ${bytes} bytes (${((bytes / todayBytes - 1) * 100).toFixed(1)} %)`,
    );
    expect(bytes).toBeLessThan(todayBytes * 1.15);
    if (todayMs > 0) expect(ms).toBeLessThan(todayMs);
  });
});

async function collect(parts: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of parts) out.push(part);
  return out;
}
