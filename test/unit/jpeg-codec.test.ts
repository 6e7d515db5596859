/**
 * The libjpeg-turbo codec (core/codecs/jpeg.ts, built by codecs/jpeg/build.sh), in workerd:
 * real photos against photon's independent decoder, DCT scaling, skipping, encode round trips,
 * CMYK, broken files (CodecError, never a crash), the memory cap, streaming a 24 MP image
 * through a few MiB of WASM memory, and files read from JS memory a chunk at a time (never
 * copied into WASM memory whole), several passes at once.
 */
import { describe, expect, it } from "vitest";
import jpegModule from "../../core/codecs/jpeg.wasm";
import { JpegCodec, type JpegReader } from "../../core/codecs/jpeg";
import type { RowWriter } from "../../core/codecs/rows";
import { CodecError } from "../../core/codecs/wasm-host";
import { decode, fixture, photoNames } from "../helpers";

const MiB = 1024 * 1024;
const codec = new JpegCodec(jpegModule);

/** Reads every row of a pass, in bands of `band` rows. */
function readAll(reader: JpegReader, band = 37): Uint8Array {
  const out = new Uint8Array(reader.width * reader.height * 4);
  const stride = reader.width * 4;
  for (let row = 0, n; (n = reader.read(out.subarray(row * stride), band)); row += n);
  return out;
}

/** Writes `height` rows in bands of 16, each made by `band(row, n)`, and returns the whole file. */
function encodeAll(writer: RowWriter, height: number, band: (row: number, n: number) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let row = 0; row < height; row += 16) parts.push(writer.write(band(row, Math.min(16, height - row)), Math.min(16, height - row)));
  parts.push(writer.finish());
  return join(parts);
}

/** Bands out of a whole image. */
const rowsOf = (pixels: Uint8Array, stride: number) => (row: number, n: number) => pixels.subarray(row * stride, (row + n) * stride);

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Mean absolute difference over R, G and B (alpha is 255 in both). */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return a.length ? sum / (a.length * 0.75) : 0;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) if ((i & 3) !== 3) sum += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / (a.length * 0.75)));
}

/** Bilinear resampling along one axis: the two source samples for output `i` of `n`, and the weight of the second. */
function tap(i: number, n: number, from: number): [number, number, number] {
  const s = Math.min(Math.max(0, ((i + 0.5) * from) / n - 0.5), from - 1);
  const i0 = Math.floor(s);
  return [i0, Math.min(from - 1, i0 + 1), s - i0];
}

const BASELINE = "images/language_1280p.jpg";
const PROGRESSIVE = "images/f2dc6965e31f7ff0bb54618d53437006.jpg";

describe("JPEG decoder", () => {
  it("decodes every fixture photo like photon does", async () => {
    for (const name of (await photoNames()).filter((n) => /\.jpe?g$/.test(n))) {
      const bytes = await fixture(`images/${name}`);
      const header = codec.readHeader(bytes);
      const reader = codec.decode(bytes);
      const theirs = decode(bytes);
      expect([reader.width, reader.height, header.width, header.height], name).toEqual([theirs.width, theirs.height, theirs.width, theirs.height]);
      // Independent decoders round differently: close (measured ≤ 0.09), not equal.
      expect(meanDiff(readAll(reader), theirs.rgba), name).toBeLessThan(0.5);
      expect(reader.warnings(), name).toBe(0);
    }
  });

  it("reads headers: size, progressive, components, colour space", async () => {
    expect(codec.readHeader(await fixture(BASELINE))).toMatchObject({ progressive: false, components: 3, colorSpace: "ycbcr" });
    expect(codec.readHeader(await fixture(PROGRESSIVE))).toMatchObject({ width: 960, height: 1200, progressive: true, components: 3, colorSpace: "ycbcr" });
  });

  it("scales by 1/2, 1/4 and 1/8 in the DCT, to ceil(side / scale)", async () => {
    for (const name of ["images/coach-yelling-at-athlete-716268.jpg", "images/download.jpeg", PROGRESSIVE]) {
      const bytes = await fixture(name);
      const full = decode(bytes);
      for (const scale of [2, 4, 8] as const) {
        const reader = codec.decode(bytes, { scale });
        expect([reader.width, reader.height], `${name} 1/${scale}`).toEqual([Math.ceil(full.width / scale), Math.ceil(full.height / scale)]);
        const small = readAll(reader);
        // The picture itself: each pixel near the mean of its full-size block (inner blocks only).
        const [w, h] = [Math.floor(full.width / scale), Math.floor(full.height / scale)];
        let diff = 0;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            for (let c = 0; c < 3; c++) {
              let sum = 0;
              for (let i = 0; i < scale * scale; i++) sum += full.rgba[((y * scale + ((i / scale) | 0)) * full.width + x * scale + (i % scale)) * 4 + c];
              diff += Math.abs(sum / scale / scale - small[(y * reader.width + x) * 4 + c]);
            }
          }
        }
        expect(diff / (w * h * 3), `${name} 1/${scale}`).toBeLessThan(2); // measured ≤ 1.1
      }
    }
  });

  it("gives the same rows after a skip as reading everything", async () => {
    for (const name of [BASELINE, PROGRESSIVE, "images/coach-yelling-at-athlete-716268.jpg"]) {
      const bytes = await fixture(name);
      for (const scale of [1, 2] as const) {
        const all = readAll(codec.decode(bytes, { scale }));
        const reader = codec.decode(bytes, { scale });
        const stride = reader.width * 4;
        const band = new Uint8Array(stride * 40);
        let row = 0;
        for (const [skip, read] of [[0, 5], [51, 9], [16, 40], [1, 3], [reader.height, 1]]) {
          row += reader.skip(skip);
          const got = reader.read(band, read);
          expect(got, `${name} 1/${scale} at ${row}`).toBe(Math.min(read, reader.height - row));
          const want = all.subarray(row * stride, (row + got) * stride);
          expect(meanDiff(band.subarray(0, got * stride), want), `${name} 1/${scale} at ${row}`).toBe(0);
          row += got;
        }
        expect(row).toBe(reader.height);
        expect(reader.read(band, 1)).toBe(0);
      }
    }
  });

  it("decodes Adobe CMYK and YCCK to the right RGB", () => {
    // codecs/jpeg/make-cmyk-sample.c: 8-pixel bands of cyan, magenta, yellow + 50% black, no ink.
    const want = [[0, 255, 255], [255, 0, 255], [127, 127, 0], [255, 255, 255]];
    for (const [space, base64] of Object.entries(CMYK_SAMPLES)) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      expect(codec.readHeader(bytes)).toMatchObject({ components: 4, colorSpace: space });
      const rgba = readAll(codec.decode(bytes));
      for (let band = 0; band < 4; band++) {
        for (const [x, y] of [[band * 8 + 2, 3], [band * 8 + 5, 12]]) {
          const at = (y * 32 + x) * 4;
          const got = Array.from(rgba.subarray(at, at + 4));
          for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - want[band][c]), `${space} band ${band}: ${got}`).toBeLessThanOrEqual(3);
          expect(got[3]).toBe(255);
        }
      }
    }
  });

  it("counts corrupt-data warnings instead of failing", async () => {
    const bytes = await fixture(BASELINE);
    // Junk between SOI and the next marker: libjpeg warns (extraneous bytes) and goes on.
    const junk = join([bytes.subarray(0, 2), Uint8Array.of(1, 2, 3, 4, 5), bytes.subarray(2)]);
    const reader = codec.decode(junk);
    expect(meanDiff(readAll(reader), readAll(codec.decode(bytes)))).toBe(0);
    expect(reader.warnings()).toBe(1);
  });
});

describe("JPEG encoder", () => {
  it("round-trips a photo at quality 90, baseline and progressive, readable by photon too", async () => {
    const photo = decode(await fixture(BASELINE));
    for (const progressive of [false, true]) {
      const file = encodeAll(codec.encode(photo.width, photo.height, { channels: 4, quality: 90, progressive }), photo.height, rowsOf(photo.rgba, photo.width * 4));
      expect(codec.readHeader(file)).toMatchObject({ width: photo.width, height: photo.height, progressive, colorSpace: "ycbcr" });
      expect(psnr(readAll(codec.decode(file)), photo.rgba)).toBeGreaterThan(30);
      expect(psnr(decode(file).rgba, photo.rgba)).toBeGreaterThan(30);
    }
  });

  it("writes grey images", async () => {
    const photo = decode(await fixture(BASELINE));
    const grey = Uint8Array.from({ length: photo.width * photo.height }, (_, i) => photo.rgba[i * 4 + 1]);
    const file = encodeAll(codec.encode(photo.width, photo.height, { channels: 1, quality: 95 }), photo.height, rowsOf(grey, photo.width));
    expect(codec.readHeader(file)).toMatchObject({ components: 1, colorSpace: "grey" });
    const rgba = readAll(codec.decode(file));
    let [diff, coloured] = [0, 0];
    for (let i = 0; i < grey.length; i++) {
      if (rgba[i * 4] !== rgba[i * 4 + 1] || rgba[i * 4] !== rgba[i * 4 + 2]) coloured++;
      diff += Math.abs(rgba[i * 4] - grey[i]);
    }
    expect(coloured).toBe(0);
    expect(diff / grey.length).toBeLessThan(1.5);
  });

  it("gives the exact coefficient bytes of a progressive 4:2:0 file: 3 bytes a pixel, padded to 16×16 MCUs", () => {
    // 290×150: 37×19 luma blocks, padded to 38×20 by libjpeg (jdcoefct.c) like the 19×10 MCUs.
    const [width, height] = [290, 150];
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 7) % 251);
    const file = encodeAll(codec.encode(width, height, { channels: 4, quality: 80, progressive: true }), height, rowsOf(rgba, width * 4));
    const header = codec.readHeader(file);
    expect(header).toMatchObject({ progressive: true, components: 3 });
    expect(header.coefficientBytes).toBe(Math.ceil(width / 16) * Math.ceil(height / 16) * 16 * 16 * 3);
  });
});

describe("JPEG errors", () => {
  it("turns broken files into CodecError and keeps working after the trap", async () => {
    const [baseline, progressive] = [await fixture(BASELINE), await fixture(PROGRESSIVE)];
    let seed = 1;
    const garbage = Uint8Array.from({ length: 4000 }, (_, i) => (i < 2 ? [0xff, 0xd8][i] : (seed = (seed * 48271) % 2147483647) & 255));
    // A frame header (SOF0) that says 0×0.
    const zeroSize = baseline.slice();
    const sof = zeroSize.findIndex((b, i) => b === 0xff && zeroSize[i + 1] === 0xc0);
    expect(sof).toBeGreaterThan(0);
    zeroSize.fill(0, sof + 5, sof + 9);
    const fails: [string, () => unknown][] = [
      ["empty", () => codec.readHeader(new Uint8Array(0))],
      ["zero-size frame header", () => codec.decode(zeroSize)],
      ["garbage after SOI", () => codec.readHeader(garbage)],
      ["not a JPEG", () => codec.decode(new TextEncoder().encode("hello, world"))],
      ["truncated baseline", () => readAll(codec.decode(baseline.subarray(0, baseline.length * 0.6)))],
      ["truncated progressive", () => codec.decode(progressive.subarray(0, progressive.length * 0.6))],
    ];
    const small = readAll(codec.decode(baseline, { scale: 8 }));
    for (const [what, run] of fails) {
      expect(run, what).toThrow(CodecError);
      expect(meanDiff(readAll(codec.decode(baseline, { scale: 8 })), small), `after ${what}`).toBe(0);
    }
    expect(() => readAll(codec.decode(baseline.subarray(0, 20000)))).toThrow(/Premature end of JPEG file/);
  });

  it("voids passes open on an instance that trapped", async () => {
    const bytes = await fixture(BASELINE);
    const reader = codec.decode(bytes);
    const writer = codec.encode(16, 16, { channels: 1, quality: 50 });
    expect(reader.read(new Uint8Array(reader.width * 4), 1)).toBe(1);
    expect(() => codec.readHeader(new Uint8Array(0))).toThrow(CodecError);
    expect(() => reader.read(new Uint8Array(reader.width * 4), 1)).toThrow(CodecError);
    expect(() => writer.write(new Uint8Array(256), 16)).toThrow(CodecError);
    reader.close();
    writer.close();
    expect(readAll(codec.decode(bytes)).length).toBe(reader.width * reader.height * 4);
  });

  it("fails a progressive decode over maxMemory, before decoding it", async () => {
    const bytes = await fixture(PROGRESSIVE);
    const { coefficientBytes } = codec.readHeader(bytes);
    expect(coefficientBytes).toBe(60 * 75 * 768);
    expect(() => codec.decode(bytes, { maxMemory: coefficientBytes - 1 })).toThrow(/more memory than the cap/);
    expect(readAll(codec.decode(bytes, { maxMemory: coefficientBytes + MiB })).length).toBe(960 * 1200 * 4);
  });
});

describe("JPEG streaming memory", () => {
  it("encodes and decodes a 6000×4000 photo in bands with WASM memory under 8 MiB", async () => {
    const photo = decode(await fixture(BASELINE));
    const [width, height] = [6000, 4000];
    // Bilinear upscaling, a row at a time: the 24 MP image never exists whole.
    const row = (y: number, out: Uint8Array, at: number) => {
      const [y0, y1, fy] = tap(y, height, photo.height);
      for (let x = 0; x < width; x++) {
        const [x0, x1, fx] = tap(x, width, photo.width);
        for (let c = 0; c < 4; c++) {
          const p = (yy: number, xx: number) => photo.rgba[(yy * photo.width + xx) * 4 + c];
          const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * fx;
          out[at + x * 4 + c] = top + (p(y1, x0) + (p(y1, x1) - p(y1, x0)) * fx - top) * fy + 0.5;
        }
      }
    };
    const encoder = new JpegCodec(jpegModule);
    const writer = encoder.encode(width, height, { channels: 4, quality: 85 });
    const band = new Uint8Array(width * 4 * 16);
    const file = encodeAll(writer, height, (y, n) => {
      for (let i = 0; i < n; i++) row(y + i, band, i * width * 4);
      return band;
    });
    expect(encoder.peakBytes()).toBeLessThan(8 * MiB);

    const decoder = new JpegCodec(jpegModule);
    expect(decoder.readHeader(file)).toMatchObject({ width, height, progressive: false });
    const reader = decoder.decode(file);
    const want = new Uint8Array(width * 4 * 16);
    let diff = 0;
    for (let y = 0, n; (n = reader.read(band, 16)); y += n) {
      if (y % 400 !== 0) continue;
      for (let i = 0; i < n; i++) row(y + i, want, i * width * 4);
      diff = Math.max(diff, meanDiff(band, want));
    }
    expect(diff).toBeLessThan(2);
    // libjpeg's few MCU rows, the staging buffer and a 64 KiB input chunk: the file stays in JS.
    expect(decoder.peakBytes()).toBeLessThan(2 * MiB);
  });
});

describe("JPEG input from JS memory, a chunk at a time", () => {
  // Coloured ramps under grey noise (which 4:2:0 keeps) at quality 95: a baseline file over 4 MiB.
  const [W, H] = [3200, 2400];
  const pixel = (x: number, y: number, c: number) =>
    40 + (((x >> 3) + (y >> 2) * 3 + c * 60) % 150) + ((Math.imul(x * 73856093 + y * 19349663, 0x9e3779b1) >>> 9) & 63);
  const sourceRows = (y: number, n: number, out = new Uint8Array(W * 4 * n)) => {
    for (let i = 0, at = 0; i < n; i++) for (let x = 0; x < W; x++, at += 4) out.set([pixel(x, y + i, 0), pixel(x, y + i, 1), pixel(x, y + i, 2), 255], at);
    return out;
  };
  let made: Uint8Array | undefined;
  const bigFile = () => {
    if (made) return made;
    const band = new Uint8Array(W * 4 * 16);
    made = encodeAll(new JpegCodec(jpegModule).encode(W, H, { channels: 4, quality: 95 }), H, (y, n) => sourceRows(y, n, band));
    expect(made.length).toBeGreaterThan(4 * MiB);
    return made;
  };

  /** FNV-1a of each row a pass gives, read `band` rows at a time, one band per call of the returned step. */
  const rowHashes = (reader: JpegReader, band: number) => {
    const [hashes, buffer, stride] = [new Uint32Array(reader.height), new Uint8Array(reader.width * 4 * band), reader.width * 4];
    let row = 0;
    const step = () => {
      const n = reader.read(buffer, band);
      for (let i = 0; i < n; i++, row++) {
        let h = 0x811c9dc5;
        for (let j = i * stride; j < (i + 1) * stride; j++) h = Math.imul(h ^ buffer[j], 16777619);
        hashes[row] = h >>> 0;
      }
      return n;
    };
    return { hashes, step, done: () => row === reader.height };
  };
  const solo = (reader: JpegReader) => {
    const pass = rowHashes(reader, 64);
    while (pass.step());
    return pass.hashes;
  };

  it("decodes a 4 MiB file with WASM memory growing by far less than the file", () => {
    const file = bigFile();
    const fresh = new JpegCodec(jpegModule);
    expect(fresh.readHeader(file)).toMatchObject({ width: W, height: H, progressive: false });
    const before = fresh.memoryBytes();
    const reader = fresh.decode(file);
    const [band, want] = [new Uint8Array(W * 4 * 16), new Uint8Array(W * 4 * 16)];
    let worst = Infinity;
    for (let y = 0, n; (n = reader.read(band, 16)); y += n) {
      if (y % 320 === 0) worst = Math.min(worst, psnr(band.subarray(0, n * W * 4), sourceRows(y, n, want)));
    }
    expect(worst).toBeGreaterThan(30);
    console.log(`${file.length} byte JPEG: WASM memory ${before} before, peak ${fresh.peakBytes()}`);
    // libjpeg's MCU rows (~0.5 MiB at this width), 256 KiB of staged rows, a 64 KiB input chunk.
    expect(fresh.peakBytes() - before).toBeLessThan(2 * MiB);
    expect(fresh.peakBytes()).toBeLessThan(file.length / 2);
  });

  it("runs interleaved passes over the same and other files, each at its own position", async () => {
    const [file, other] = [bigFile(), await fixture(BASELINE)];
    const fresh = new JpegCodec(jpegModule);
    const want = [solo(fresh.decode(file)), solo(fresh.decode(file, { scale: 2 })), solo(fresh.decode(other))];
    const before = fresh.memoryBytes();
    const passes = [rowHashes(fresh.decode(file), 16), rowHashes(fresh.decode(file, { scale: 2 }), 7), rowHashes(fresh.decode(other), 5)];
    while (passes.some((p) => !p.done())) for (const p of passes) p.step();
    passes.forEach((p, i) => expect(p.hashes, `pass ${i}`).toEqual(want[i]));
    expect(fresh.peakBytes() - before).toBeLessThan(3 * MiB);
  });

  it("fails on a file cut at or across chunk boundaries, and on corrupt data, with CodecError", () => {
    const file = bigFile();
    const fresh = new JpegCodec(jpegModule);
    for (const end of [2, 1000, 65536, 65537, 3 * 65536 - 1, file.length >> 1, file.length - 5000]) {
      expect(() => readAll(fresh.decode(file.subarray(0, end)), 64), `cut at ${end}`).toThrow(/Premature end of JPEG file/);
    }
    // Garbage across a chunk boundary: a corrupt scan is refused, not decoded into made-up rows.
    const corrupt = file.slice();
    let seed = 5;
    for (let i = 2 * 65536 - 999; i < 2 * 65536 + 999; i++) corrupt[i] = (seed = (seed * 48271) % 2147483647) & 255;
    expect(() => readAll(fresh.decode(corrupt), 64)).toThrow(/Corrupt JPEG data/);
    // A marker segment that says it runs past the end of the file.
    const cutInSegment = join([file.subarray(0, 2), Uint8Array.of(0xff, 0xe3, 0xff, 0xff), new Uint8Array(100)]);
    expect(() => fresh.readHeader(cutInSegment)).toThrow(/Premature end of JPEG file/);
    expect(solo(fresh.decode(file, { scale: 8 })).length).toBe(H / 8);
  });

  it("skips marker segments larger than a chunk", async () => {
    const bytes = await fixture(BASELINE);
    // Five APP3 segments of 65535 bytes (more than a 64 KiB chunk in all, across its ends).
    const app = new Uint8Array(65537).fill(7);
    app.set([0xff, 0xe3, 0xff, 0xff]);
    const padded = join([bytes.subarray(0, 2), app, app, app, app, app, bytes.subarray(2)]);
    expect(codec.readHeader(padded)).toEqual(codec.readHeader(bytes));
    const reader = codec.decode(padded);
    expect(meanDiff(readAll(reader), readAll(codec.decode(bytes)))).toBe(0);
    expect(reader.warnings()).toBe(0);
    expect(() => codec.readHeader(padded.subarray(0, 3 * 65537))).toThrow(/Premature end of JPEG file/);
  });
});

/** Base64 of `make-cmyk-sample cmyk` and `make-cmyk-sample ycck` (codecs/jpeg/make-cmyk-sample.c). */
const CMYK_SAMPLES: Record<string, string> = {
  cmyk:
    "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB" +
    "AQEB/8AAFAgAEAAgBEMRAE0RAFkRAEsRAP/EABYAAQEBAAAAAAAAAAAAAAAAAAsACv/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAOBEMATQBZAEsA" +
    "AD8AP/b+G/hv4P8AAAdJH+AA4/8ASP8ABAAAOkj/AAAHSR/gAOP/AEj/AAQAf//Z",
  ycck:
    "/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB" +
    "AQEB/9sAQwEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB/8AAFAgAEAAgBAEi" +
    "AAIRAQMRAQQiAP/EABgAAAMBAQAAAAAAAAAAAAAAAAAKCwgJ/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/EABcBAAMBAAAAAAAAAAAAAAAAAAcICQr/" +
    "xAAkEQABAAcJAAAAAAAAAAAAAAAABwgJCkVGSEmFhoeIxMXHyP/aAA4EAQACEQMRBAAAPwDi+ZQLXmUEA1lZLxHwIUH1CzV1j+Vh/gAEN2F26GF2" +
    "/huZS7nZ1GK2jON3bvyf+oAJ/wCoAP/Z",
};
