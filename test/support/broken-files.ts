/**
 * Files that pass every header check and then break inside their data, for the bad-input
 * tests: the decoder meets the damage while rows stream.
 */
import { JpegCodec } from "../../core/codecs/jpeg";
import { PngCodec } from "../../core/codecs/png";
import { concatBytes } from "./bytes";
import { encodePng } from "./png-compression-stream";
import jpegModule from "../../core/codecs/jpeg.wasm";
import pngModule from "../../core/codecs/png.wasm";

const concat = concatBytes;

/** The first `share` of a JPEG, then an end-of-image marker: the scan stops mid-band. */
export function truncatedMidScan(jpeg: Uint8Array, share: number): Uint8Array {
  return concat([jpeg.subarray(0, Math.floor(jpeg.length * share)), new Uint8Array([0xff, 0xd9])]);
}

/** Starts of the JPEG's start-of-scan segments. */
function scans(jpeg: Uint8Array): number[] {
  const found: number[] = [];
  for (let i = 2; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) found.push(i);
  return found;
}

/** The photo re-encoded as a progressive JPEG with only its first scans kept, then the end marker. */
export async function progressiveMissingScans(photo: Uint8Array): Promise<Uint8Array> {
  const jpeg = new JpegCodec(jpegModule);
  const reader = jpeg.decode(photo);
  const rows = new Uint8Array(reader.width * reader.height * 4);
  reader.read(rows, reader.height);
  reader.close();
  const writer = jpeg.encode(reader.width, reader.height, { channels: 4, quality: 85, progressive: true });
  const file = concat([writer.write(rows, reader.height), writer.finish()]);
  writer.close();
  const starts = scans(file);
  return concat([file.subarray(0, starts[Math.min(3, starts.length - 1)]), new Uint8Array([0xff, 0xd9])]);
}

/** A PNG whose single IDAT chunk holds only the first half of its zlib data (with a valid CRC). */
export async function idatEndingEarly(photo: Uint8Array): Promise<Uint8Array> {
  const reader = new PngCodec(pngModule).decode(photo);
  const rows = new Uint8Array(reader.width * reader.height * 4);
  reader.read(rows, reader.height);
  reader.close();
  const whole = concat(await encodePng(rows, reader.width, reader.height, 4));
  // Walk the chunks; keep IHDR, one shortened IDAT, IEND.
  const view = new DataView(whole.buffer);
  const data: Uint8Array[] = [];
  for (let at = 8; at < whole.length; at += 12 + view.getUint32(at)) {
    if (String.fromCharCode(...whole.subarray(at + 4, at + 8)) === "IDAT") data.push(whole.subarray(at + 8, at + 8 + view.getUint32(at)));
  }
  const zlib = concat(data);
  return concat([whole.subarray(0, 33), chunk("IDAT", zlib.subarray(0, zlib.length >> 1)), chunk("IEND", new Uint8Array(0))]);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  let c = 0xffffffff;
  for (const byte of out.subarray(4, 8 + body.length)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  view.setUint32(8 + body.length, (c ^ 0xffffffff) >>> 0);
  return out;
}
