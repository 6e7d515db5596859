/**
 * EXIF orientation: reading it from real photos (JPEG, PNG, WebP) written by an independent
 * writer (test/support/exif-writer.ts), rejecting broken EXIF the way browsers do (as 1), and
 * the geometry, checked against explicit rotate/flip operations rather than the module's table.
 */
import { describe, expect, it } from "vitest";
import { type Orientation, readOrientation } from "../../core/codecs/exif";
import { flipsRows, mirrorRow, sourceIndex, swapsAxes, uprightRow, uprightSize } from "../../core/image/orientation";
import { decode, fixture, photoNames } from "../helpers";
import {
  type ByteOrder,
  brokenExifCases,
  concat,
  crc32,
  exifApp1,
  orientationTiff,
  pngChunk,
  pngWithExif,
  pngWithOrientation,
  tiff,
  webpWithOrientation,
  withOrientation,
} from "../support/exif-writer";

const ALL: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
const ORDERS: ByteOrder[] = ["II", "MM"];
const text = (s: string) => new TextEncoder().encode(s);

describe("readOrientation", () => {
  it("reads all 8 orientations back from a JPEG and a PNG, in both byte orders", async () => {
    const jpeg = await fixture("images/rocket.jpg");
    const png = await fixture("images/chelsea.png");
    for (const order of ORDERS) {
      for (const o of ALL) {
        expect(readOrientation(withOrientation(jpeg, o, order)), `jpeg ${order} ${o}`).toBe(o);
        expect(readOrientation(pngWithOrientation(png, o, order)), `png ${order} ${o}`).toBe(o);
        // Writing over an existing orientation replaces it.
        expect(readOrientation(withOrientation(withOrientation(jpeg, 3, order), o, order))).toBe(o);
      }
    }
  });

  it("skips other segments and junk between them as libjpeg does, and stops at SOS", async () => {
    const jpeg = await fixture("images/rocket.jpg"); // APP0 (JFIF) and APP2 (ICC) come first
    const app1 = exifApp1(orientationTiff(6));
    const app0 = jpeg.subarray(2, 2 + 18);
    const tail = jpeg.subarray(2);
    // Behind APP0 and an XMP-style APP1 that is not Exif; behind fill bytes; behind junk bytes.
    const xmp = concat([0xff, 0xe1, 0, 6], text("http"));
    expect(readOrientation(concat(jpeg.subarray(0, 2), app0, xmp, app1, tail))).toBe(6);
    expect(readOrientation(concat(jpeg.subarray(0, 2), [0xff, 0xff, 0xff], app1, tail))).toBe(6);
    expect(readOrientation(concat(jpeg.subarray(0, 2), [0, 0x12, 0x34], app1, tail))).toBe(6);
    // The first Exif APP1 is the one that counts.
    expect(readOrientation(concat(jpeg.subarray(0, 2), exifApp1(orientationTiff(3)), app1, tail))).toBe(3);
  });

  it("leaves the files decodable (the same size: decoders here ignore orientation)", async () => {
    const jpeg = await fixture("images/rocket.jpg");
    const png = await fixture("images/chelsea.png");
    for (const [plain, oriented] of [
      [jpeg, withOrientation(jpeg, 6, "MM")],
      [png, pngWithOrientation(png, 8)],
    ]) {
      const [a, b] = [decode(plain), decode(oriented)];
      expect([b.width, b.height]).toEqual([a.width, a.height]);
    }
    // The writer's CRC is the PNG one: IEND's CRC is AE 42 60 82 in every PNG.
    expect(crc32(text("IEND"))).toBe(0xae426082);
  });

  it("reads an extended WebP's EXIF chunk, and ignores one in a simple WebP", async () => {
    const webp = await fixture("webp/images/rocket.jpg");
    expect(readOrientation(webp)).toBe(1);
    for (const order of ORDERS) for (const o of ALL) expect(readOrientation(webpWithOrientation(webp, o, order))).toBe(o);
    const extended = webpWithOrientation(webp, 5);
    expect(decode(extended).width).toBe(decode(webp).width);
    // An EXIF chunk without VP8X: not where decoders look.
    const exif = orientationTiff(6);
    const chunk = concat(text("EXIF"), [exif.length, 0, 0, 0], exif);
    const simple = concat(webp.subarray(0, 4), [0, 0, 0, 0], webp.subarray(8), chunk);
    new DataView(simple.buffer).setUint32(4, simple.length - 8, true);
    expect(readOrientation(simple)).toBe(1);
  });

  it("reads the fixture photos as what their EXIF holds", async () => {
    // From a hexdump: two photos carry IFD0 orientation 1 (SHORT, count 1, little-endian), a
    // few an EXIF block without it, the rest no EXIF at all. So every photo is upright.
    for (const name of await photoNames()) expect(readOrientation(await fixture(`images/${name}`)), name).toBe(1);
    // Those two entries are really read: set to 6 in place, they read as 6 (juliatrotti's sits
    // behind a 7.5 KB Photoshop APP13 segment, the other in a 19-entry IFD0).
    const entry = [0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00];
    for (const name of ["juliatrotti_17.jpg", "olympic-athletes-need-to-know-2018-winter-1.jpg"]) {
      const bytes = await fixture(`images/${name}`);
      const at = indexOf(bytes, entry);
      expect(at, name).toBeGreaterThan(0);
      bytes[at + 8] = 6;
      expect(readOrientation(bytes), name).toBe(6);
    }
  });

  it("reads every broken EXIF case as 1, without throwing, in bounded time", async () => {
    const jpeg = await fixture("images/rocket.jpg");
    const cases = brokenExifCases(jpeg);
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const { name, bytes } of cases) {
      // Repeated: a walk that loops or scans far would hold the isolate (and hit the timeout).
      for (let i = 0; i < 200; i++) expect(readOrientation(bytes), name).toBe(1);
    }
  }, 10_000);

  it("reads broken PNG and WebP containers as 1", async () => {
    const png = await fixture("images/chelsea.png");
    const six = orientationTiff(6);
    expect(readOrientation(pngWithExif(png, six, "after-idat"))).toBe(1);
    expect(readOrientation(pngWithExif(png, tiff({ ifdOffset: 0xfffffff0, entries: [] })))).toBe(1);
    expect(readOrientation(pngWithExif(png, orientationTiff(6).subarray(0, 20)))).toBe(1);
    // Some writers keep JPEG's "Exif\0\0" in front of the TIFF block: tolerated.
    expect(readOrientation(pngWithExif(png, concat(text("Exif"), [0, 0], six)))).toBe(6);
    // A chunk before the eXIf whose length runs past the file (or past PNG's 2^31 - 1 limit).
    for (const length of [0x7fffffff, 0x80000000, 0xffffffff, png.length]) {
      const header = concat([0, 0, 0, 0], text("tEXt"));
      new DataView(header.buffer).setUint32(0, length);
      expect(readOrientation(concat(png.subarray(0, 33), header, pngChunk("eXIf", six), png.subarray(33))), `${length}`).toBe(1);
    }
    const webp = webpWithOrientation(await fixture("webp/images/rocket.jpg"), 6);
    const oversized = webp.slice();
    new DataView(oversized.buffer).setUint32(12 + 18 + 4, 0xfffffff0, true); // the image chunk's size
    expect(readOrientation(oversized)).toBe(1);
    expect(readOrientation(webp.subarray(0, webp.length - 4))).toBe(1); // EXIF chunk cut
  });

  it("reads 1 from what is not an image, or hardly anything", () => {
    const tiny = [new Uint8Array(), Uint8Array.of(0xff), Uint8Array.of(0xff, 0xd8), text("RIFF\0\0\0\0WEBP"), text("Exif\0\0II*\0")];
    for (const bytes of tiny) expect(readOrientation(bytes)).toBe(1);
  });

  it("reads 1 from every prefix too short to hold the whole segment, o from the rest", async () => {
    const jpeg = withOrientation(await fixture("images/rocket.jpg"), 7, "MM");
    const whole = 2 + 2 + 2 + 6 + 26; // SOI, marker, length, "Exif\0\0", TIFF header + IFD0
    for (let n = 0; n <= whole + 8; n++) expect(readOrientation(jpeg.subarray(0, n)), `${n}`).toBe(n >= whole ? 7 : 1);
  });

  it("never throws on byte flips in the header (a seeded fuzz)", async () => {
    const jpeg = withOrientation(await fixture("images/rocket.jpg"), 6);
    const png = pngWithOrientation(await fixture("images/chelsea.png"), 6);
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    for (const file of [jpeg, png]) {
      const header = file.slice(0, 256);
      for (let i = 0; i < 3000; i++) {
        const bytes = header.slice();
        for (let k = 1 + (next() % 4); k > 0; k--) bytes[next() % 80] = next() & 255;
        expect(ALL).toContain(readOrientation(bytes));
      }
    }
  });
});

function indexOf(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A small image with a distinct value in every byte position, so any misplaced byte shows. */
interface Img {
  width: number;
  height: number;
  pixels: Uint8Array;
}

function make(width: number, height: number, ch: number, value: (x: number, y: number, c: number) => number): Img {
  const pixels = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < ch; c++) pixels[(y * width + x) * ch + c] = value(x, y, c);
  }
  return { width, height, pixels };
}
const distinct = (w: number, h: number, ch: number) => make(w, h, ch, (x, y, c) => ((y * w + x) * ch + c + 1) & 255);
const get = (img: Img, ch: number) => (x: number, y: number, c: number) => img.pixels[(y * img.width + x) * ch + c];

// The operations, written as what they do to the picture.
const flipH = (a: Img, ch: number) => make(a.width, a.height, ch, (x, y, c) => get(a, ch)(a.width - 1 - x, y, c));
const flipV = (a: Img, ch: number) => make(a.width, a.height, ch, (x, y, c) => get(a, ch)(x, a.height - 1 - y, c));
/** 90° clockwise: the left column becomes the top row. */
const rotateCW = (a: Img, ch: number) => make(a.height, a.width, ch, (x, y, c) => get(a, ch)(y, a.height - 1 - x, c));
/** 90° counter-clockwise: the top row becomes the left column, read upwards. */
const rotateCCW = (a: Img, ch: number) => make(a.height, a.width, ch, (x, y, c) => get(a, ch)(a.width - 1 - y, x, c));

/** What a browser displays for a stored image with orientation o (EXIF 2.3, table 4.5). */
function displayed(o: Orientation, a: Img, ch: number): Img {
  switch (o) {
    case 1: return a;
    case 2: return flipH(a, ch);
    case 3: return rotateCW(rotateCW(a, ch), ch);
    case 4: return flipV(a, ch);
    case 5: return rotateCCW(flipH(a, ch), ch);
    case 6: return rotateCW(a, ch);
    case 7: return rotateCW(flipH(a, ch), ch);
    case 8: return rotateCCW(a, ch);
  }
}

/** The upright image from the module, a row at a time (as the pipeline does it). */
function materialise(o: Orientation, a: Img, ch: number): Img {
  const size = uprightSize(a.width, a.height, o);
  const pixels = new Uint8Array(size.width * size.height * ch);
  const row = new Uint8Array(size.width * ch + 5); // a longer buffer than needed is fine
  for (let uy = 0; uy < size.height; uy++) {
    uprightRow(o, a, uy, row, ch);
    pixels.set(row.subarray(0, size.width * ch), uy * size.width * ch);
  }
  return { ...size, pixels };
}

const SHAPES = [[5, 3], [3, 5], [4, 4], [1, 1], [1, 6], [7, 1]];

describe("orientation geometry", () => {
  it("says which orientations swap axes and which need the whole image", () => {
    expect(ALL.filter(swapsAxes)).toEqual([5, 6, 7, 8]);
    expect(ALL.filter(flipsRows)).toEqual([3, 4, 5, 6, 7, 8]);
    for (const o of ALL) {
      expect(uprightSize(640, 480, o)).toEqual(o >= 5 ? { width: 480, height: 640 } : { width: 640, height: 480 });
    }
  });

  it("turns a landscape photo with orientation 6 into a portrait, its top row on the right", () => {
    const stored = distinct(3, 2, 4);
    const upright = materialise(6, stored, 4);
    expect([upright.width, upright.height]).toEqual([2, 3]);
    // Stored row 0, left to right, is the right-most upright column, top to bottom.
    for (let i = 0; i < 3; i++) expect(get(upright, 4)(1, i, 0)).toBe(get(stored, 4)(i, 0, 0));
    // With 8 it is the left-most column, bottom to top; with 3 the bottom row, right to left.
    const eight = materialise(8, stored, 4);
    for (let i = 0; i < 3; i++) expect(get(eight, 4)(0, 2 - i, 0)).toBe(get(stored, 4)(i, 0, 0));
    const three = materialise(3, stored, 4);
    for (let i = 0; i < 3; i++) expect(get(three, 4)(2 - i, 1, 0)).toBe(get(stored, 4)(i, 0, 0));
  });

  for (const ch of [4, 3]) {
    it(`materialises each orientation as the explicit rotations and flips (${ch} channels)`, () => {
      for (const [w, h] of SHAPES) {
        const stored = distinct(w, h, ch);
        for (const o of ALL) {
          const expected = displayed(o, stored, ch);
          const actual = materialise(o, stored, ch);
          expect([actual.width, actual.height], `${w}×${h} o=${o}`).toEqual([expected.width, expected.height]);
          expect(Array.from(actual.pixels), `${w}×${h} o=${o}`).toEqual(Array.from(expected.pixels));
          // sourceIndex names the same stored pixel for every upright one.
          const source = sourceIndex(o, w, h);
          for (let uy = 0; uy < expected.height; uy++) {
            for (let ux = 0; ux < expected.width; ux++) {
              const [sx, sy] = source(ux, uy);
              expect(get(stored, ch)(sx, sy, 0)).toBe(get(expected, ch)(ux, uy, 0));
            }
          }
        }
      }
    });
  }

  it("undoes each transform: displaying the inverse-transformed image gives the original", () => {
    const inverse = (o: Orientation): Orientation => (o === 6 ? 8 : o === 8 ? 6 : o);
    for (const [w, h] of SHAPES) {
      const original = distinct(w, h, 4);
      for (const o of ALL) {
        const stored = materialise(inverse(o), original, 4);
        const back = materialise(o, stored, 4);
        expect([back.width, back.height]).toEqual([w, h]);
        expect(Array.from(back.pixels), `${w}×${h} o=${o}`).toEqual(Array.from(original.pixels));
      }
    }
  });

  it("mirrors a row in place as orientation 2 does", () => {
    for (const ch of [3, 4]) {
      for (const w of [1, 2, 5, 6]) {
        const stored = distinct(w, 1, ch);
        const row = stored.pixels.slice();
        mirrorRow(row, w, ch);
        expect(Array.from(row)).toEqual(Array.from(flipH(stored, ch).pixels));
        mirrorRow(row, w, ch);
        expect(Array.from(row)).toEqual(Array.from(stored.pixels));
      }
    }
  });

  it("refuses rows and buffers that do not fit the image", () => {
    const stored = distinct(5, 3, 4);
    expect(() => uprightRow(6, stored, 5, new Uint8Array(12))).toThrow(RangeError);
    expect(() => uprightRow(1, stored, 3, new Uint8Array(20))).toThrow(RangeError);
    expect(() => uprightRow(6, stored, 0, new Uint8Array(11))).toThrow(RangeError);
    expect(() => uprightRow(1, { ...stored, pixels: stored.pixels.subarray(1) }, 0, new Uint8Array(20))).toThrow(RangeError);
    expect(() => mirrorRow(new Uint8Array(7), 2, 4)).toThrow(RangeError);
  });
});
