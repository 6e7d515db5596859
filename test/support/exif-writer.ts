/**
 * Writes EXIF orientation into real photos (JPEG APP1, PNG eXIf, WebP EXIF), and builds broken
 * EXIF blocks for the bad-input corpus. Written from the specs (TIFF 6.0, EXIF 2.3 §4.5, PNG
 * eXIf, RIFF WebP), independently of core/codecs/exif.ts, which is what it tests.
 */
import { concatBytes } from "./bytes";
import type { Orientation } from "../../core/codecs/exif";

export type ByteOrder = "II" | "MM";

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** SHORT values go in the first two value bytes, anything else as one 32-bit value. */
  value: number;
}

export interface TiffSpec {
  order?: ByteOrder;
  magic?: number;
  /** Offset of IFD0 from the start of the TIFF header (normally 8, right after it). */
  ifdOffset?: number;
  /** The IFD's entry count as written; defaults to entries.length. */
  count?: number;
  entries?: IfdEntry[];
  nextIfd?: number;
  /** Raw bytes appended after the IFD (a second IFD, say). */
  tail?: Uint8Array;
}

const SHORT = 3;
const LONG = 4;
const ORIENTATION = 0x0112;

/** A TIFF block (header + IFD0), as hand-built as the spec lays it out. */
export function tiff(spec: TiffSpec = {}): Uint8Array {
  const { order = "II", magic = 42, ifdOffset = 8, entries = [], nextIfd = 0, tail = new Uint8Array() } = spec;
  const count = spec.count ?? entries.length;
  const ifdBytes = 2 + 12 * entries.length + 4;
  const out = new Uint8Array(8 + ifdBytes + tail.length);
  const view = new DataView(out.buffer);
  const le = order === "II";
  out[0] = out[1] = order.charCodeAt(0);
  view.setUint16(2, magic, le);
  view.setUint32(4, ifdOffset >>> 0, le);
  // The IFD is always written at 8; a different ifdOffset is the lie under test.
  view.setUint16(8, count, le);
  entries.forEach((e, i) => {
    const at = 10 + 12 * i;
    view.setUint16(at, e.tag, le);
    view.setUint16(at + 2, e.type, le);
    view.setUint32(at + 4, e.count >>> 0, le);
    if (e.type === SHORT) view.setUint16(at + 8, e.value, le);
    else view.setUint32(at + 8, e.value >>> 0, le);
  });
  view.setUint32(8 + ifdBytes - 4, nextIfd >>> 0, le);
  out.set(tail, 8 + ifdBytes);
  return out;
}

const orientationEntry = (value: number): IfdEntry => ({ tag: ORIENTATION, type: SHORT, count: 1, value });

/** An IFD0 holding only the orientation. */
export const orientationTiff = (o: number, order: ByteOrder = "II") => tiff({ order, entries: [orientationEntry(o)] });

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0];

export const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => concatBytes(parts);

/** An APP1 segment: marker, length (which counts itself), "Exif\0\0", the TIFF block. */
export function exifApp1(tiffBlock: Uint8Array, length = 2 + EXIF_ID.length + tiffBlock.length): Uint8Array {
  return concat([0xff, 0xe1, (length >> 8) & 255, length & 255], EXIF_ID, tiffBlock);
}

/** The JPEG without its Exif APP1 segments (those before SOS; the rest is copied as is). */
export function stripJpegExif(jpeg: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const kept: Uint8Array[] = [jpeg.subarray(0, 2)];
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff && jpeg[pos + 1] !== 0xda) {
    const end = pos + 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
    const exif = jpeg[pos + 1] === 0xe1 && EXIF_ID.every((b, i) => jpeg[pos + 4 + i] === b);
    if (!exif) kept.push(jpeg.subarray(pos, end));
    pos = end;
  }
  kept.push(jpeg.subarray(pos));
  return concat(...kept);
}

/** Puts raw bytes right after SOI (any Exif APP1 already there is dropped first). */
export function afterSoi(jpeg: Uint8Array, bytes: Uint8Array | number[]): Uint8Array {
  const bare = stripJpegExif(jpeg);
  return concat(bare.subarray(0, 2), bytes, bare.subarray(2));
}

/** The JPEG with an APP1 Exif segment holding `o` in IFD0, right after SOI. */
export function withOrientation(jpeg: Uint8Array, o: Orientation, order: ByteOrder = "II"): Uint8Array {
  return afterSoi(jpeg, exifApp1(orientationTiff(o, order)));
}

/**
 * Broken EXIF, each of which a reader must take as orientation 1 (most hide a 6 where a
 * careless reader would find it). The rest of the JPEG stays whole.
 */
export function brokenExifCases(jpeg: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const six = [orientationEntry(6)];
  const app1 = (t: Uint8Array) => afterSoi(jpeg, exifApp1(t));
  const filler: IfdEntry = { tag: 0x010f, type: 2, count: 4, value: 0x41424300 }; // Make: "ABC"
  const bare = stripJpegExif(jpeg);
  return [
    { name: "ifd offset past the block", bytes: app1(tiff({ ifdOffset: 0x1000, entries: six })) },
    { name: "ifd offset 0xffffffff (-1 signed)", bytes: app1(tiff({ ifdOffset: 0xffffffff, entries: six })) },
    { name: "ifd offset 0x80000000 (INT_MIN)", bytes: app1(tiff({ ifdOffset: 0x80000000, entries: six, order: "MM" })) },
    // offset + 2 + 12 (one entry) wraps past 2^32 to a small number in 32-bit arithmetic.
    { name: "ifd offset wraps 32 bits", bytes: app1(tiff({ ifdOffset: 0xfffffff2, entries: six })) },
    { name: "ifd offset inside the header", bytes: app1(tiff({ ifdOffset: 2, entries: six })) },
    { name: "ifd offset one short of the count", bytes: app1(tiff({ entries: six }).subarray(0, 9)) },
    { name: "65535 entries, none there", bytes: app1(tiff({ count: 65535 }).subarray(0, 10)) },
    { name: "65535 entries, one other tag", bytes: app1(tiff({ count: 65535, entries: [filler] }).subarray(0, 22)) },
    { name: "orientation as LONG", bytes: app1(tiff({ entries: [{ ...six[0], type: LONG }] })) },
    { name: "orientation count 2", bytes: app1(tiff({ entries: [{ ...six[0], count: 2 }] })) },
    { name: "orientation count 0xffffffff", bytes: app1(tiff({ entries: [{ ...six[0], count: 0xffffffff }] })) },
    { name: "orientation 0", bytes: app1(orientationTiff(0)) },
    { name: "orientation 9", bytes: app1(orientationTiff(9, "MM")) },
    { name: "orientation 0xffff", bytes: app1(orientationTiff(0xffff)) },
    { name: "byte order XX", bytes: app1(concat([0x58, 0x58], orientationTiff(6).subarray(2))) },
    { name: "mixed byte order IM", bytes: app1(concat([0x49, 0x4d], orientationTiff(6).subarray(2))) },
    { name: "magic 43", bytes: app1(tiff({ magic: 43, entries: six })) },
    { name: "magic in the other byte order", bytes: app1(tiff({ magic: 0x2a00, entries: six })) },
    { name: "entry cut before its value", bytes: app1(orientationTiff(6).subarray(0, 18)) },
    { name: "tiff header cut", bytes: app1(orientationTiff(6).subarray(0, 5)) },
    { name: "Exif id with nothing after", bytes: afterSoi(jpeg, exifApp1(new Uint8Array())) },
    {
      // IFD0 (no orientation, 18 bytes) links to IFD1 (the thumbnail's, holding 6), which links
      // back to IFD0. Only IFD0 counts, so the answer is 1; a reader following links would loop.
      name: "next-ifd loop, orientation only in IFD1",
      bytes: app1(tiff({ entries: [filler], nextIfd: 8 + 18, tail: tiff({ entries: six, nextIfd: 8 }).subarray(8) })),
    },
    {
      name: "segment longer than the file",
      bytes: concat(bare.subarray(0, 2), exifApp1(orientationTiff(6), 0xffff)),
    },
    { name: "segment length 0", bytes: afterSoi(jpeg, concat([0xff, 0xe1, 0, 0], EXIF_ID, orientationTiff(6))) },
    { name: "segment length 1", bytes: afterSoi(jpeg, concat([0xff, 0xe1, 0, 1], EXIF_ID, orientationTiff(6))) },
    { name: "segment cut mid-TIFF", bytes: concat(bare.subarray(0, 2), exifApp1(orientationTiff(6)).subarray(0, 20)) },
    { name: "exif after EOI", bytes: concat(bare, exifApp1(orientationTiff(6))) },
    // 64 KiB of fill bytes (legal before a marker) and then EOI: the walk must still end.
    { name: "fill bytes then EOI", bytes: concat(bare.subarray(0, 2), new Uint8Array(1 << 16).fill(0xff), [0xd9]) },
    { name: "SOI only", bytes: bare.subarray(0, 2) },
    { name: "SOI and a lone 0xff", bytes: concat(bare.subarray(0, 2), [0xff]) },
  ];
}

/** CRC-32 (ISO 3309, as PNG uses it) over the chunk type and data. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(Array.from(type, (ch) => ch.charCodeAt(0)), data);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return out;
}

/** The PNG with an eXIf chunk (orientation `o` in IFD0) before its first IDAT; any old eXIf dropped. */
export function pngWithOrientation(png: Uint8Array, o: Orientation, order: ByteOrder = "II"): Uint8Array {
  return pngWithExif(png, orientationTiff(o, order));
}

export function pngWithExif(png: Uint8Array, exif: Uint8Array, where: "before-idat" | "after-idat" = "before-idat"): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  let placed = false;
  for (let pos = 8; pos + 12 <= png.length; ) {
    const end = pos + 12 + view.getUint32(pos);
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    const before = where === "before-idat" ? type === "IDAT" : type === "IEND";
    if (before && !placed) {
      parts.push(pngChunk("eXIf", exif));
      placed = true;
    }
    if (type !== "eXIf") parts.push(png.subarray(pos, end));
    pos = end;
  }
  if (!placed) throw new Error("no IDAT/IEND");
  return concat(...parts);
}

/**
 * A simple lossless (VP8L) or lossy (VP8) WebP made extended (VP8X, EXIF flag) with an EXIF
 * chunk, at the end as the container spec orders it.
 */
export function webpWithOrientation(webp: Uint8Array, o: Orientation, order: ByteOrder = "II"): Uint8Array {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  const fourcc = (at: number) => String.fromCharCode(...webp.subarray(at, at + 4));
  if (fourcc(0) !== "RIFF" || fourcc(8) !== "WEBP") throw new Error("not a WebP");
  const kind = fourcc(12);
  const data = 20;
  let width: number;
  let height: number;
  let alpha = false;
  if (kind === "VP8L") {
    const bits = view.getUint32(data + 1, true); // after the 0x2f signature byte
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    alpha = ((bits >>> 28) & 1) === 1;
  } else if (kind === "VP8 ") {
    width = view.getUint16(data + 6, true) & 0x3fff; // after the frame tag and start code
    height = view.getUint16(data + 8, true) & 0x3fff;
  } else {
    throw new Error(`not a simple WebP: ${kind}`);
  }
  const vp8x = new Uint8Array(18);
  vp8x.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x08 | (alpha ? 0x10 : 0)]);
  const put24 = (at: number, v: number) => vp8x.set([v & 255, (v >> 8) & 255, (v >> 16) & 255], at);
  put24(12, width - 1);
  put24(15, height - 1);
  const exif = orientationTiff(o, order);
  const exifChunk = concat([0x45, 0x58, 0x49, 0x46], u32le(exif.length), exif, exif.length & 1 ? [0] : []);
  const body = concat([0x57, 0x45, 0x42, 0x50], vp8x, webp.subarray(12, 8 + view.getUint32(4, true)), exifChunk);
  return concat([0x52, 0x49, 0x46, 0x46], u32le(body.length), body);
}

const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
