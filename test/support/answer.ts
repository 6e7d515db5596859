/**
 * Reading an image answer the way a big one must be read: as it streams, never whole. Gives
 * the format and size from the header, the byte count, and (when asked) the decoded rows one
 * band at a time through the product's own codecs.
 */
import { JpegCodec } from "../../core/codecs/jpeg";
import { PngCodec } from "../../core/codecs/png";
import type { RowReader } from "../../core/codecs/rows";
import jpegModule from "../../core/codecs/jpeg.wasm";
import pngModule from "../../core/codecs/png.wasm";

const jpeg = new JpegCodec(jpegModule);
const png = new PngCodec(pngModule);

export interface Answer {
  type: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** The whole answer body (fine up to a few tens of MB) with its size from the file header. */
export async function readAnswer(response: Response): Promise<Answer> {
  const type = response.headers.get("content-type") ?? "";
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (type === "image/png") return { type, bytes, ...png.readHeader(bytes) };
  if (type === "image/jpeg") return { type, bytes, ...jpeg.readHeader(bytes) };
  throw new Error(`not an image answer: ${type} ${new TextDecoder().decode(bytes.subarray(0, 200))}`);
}

/** A decoding pass over an answer's rows (RGBA). */
export function rowsOf(answer: Answer): RowReader {
  return answer.type === "image/png" ? png.decode(answer.bytes) : jpeg.decode(answer.bytes);
}

/** Visits every row of an answer, `band` rows at a time. */
export function forEachRow(answer: Answer, visit: (row: Uint8Array, y: number) => void, band = 64): void {
  const reader = rowsOf(answer);
  const buffer = new Uint8Array(reader.width * 4 * band);
  for (let y = 0; y < reader.height; ) {
    const n = reader.read(buffer, band);
    if (n === 0) throw new Error(`answer ended at row ${y}`);
    for (let r = 0; r < n; r++, y++) visit(buffer.subarray(r * reader.width * 4, (r + 1) * reader.width * 4), y);
  }
  reader.close();
}

/** A mask answer (grey PNG decoded as RGBA) box-averaged down to `width` × `height`, for comparing sizes. */
export function shrinkMask(answer: Answer, width: number, height: number): Uint8Array {
  const sums = new Float64Array(width * height);
  const counts = new Float64Array(width * height);
  forEachRow(answer, (row, y) => {
    const cy = Math.min(height - 1, Math.floor((y * height) / answer.height));
    for (let x = 0; x < answer.width; x++) {
      const c = cy * width + Math.min(width - 1, Math.floor((x * width) / answer.width));
      sums[c] += row[x * 4];
      counts[c]++;
    }
  });
  return Uint8Array.from(sums, (s, i) => Math.round(s / counts[i]));
}

/** IoU of two masks at level 128. */
export function iou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] >= 128;
    const y = b[i] >= 128;
    if (x && y) both++;
    if (x || y) either++;
  }
  return either ? both / either : 1;
}

/** A photo decoded whole by the product's own codecs (small photos only). */
export async function decodeAsProduct(bytes: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const reader = bytes[0] === 0x89 ? png.decode(bytes) : jpeg.decode(bytes);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.read(rgba, reader.height);
  reader.close();
  return { width: reader.width, height: reader.height, rgba };
}
