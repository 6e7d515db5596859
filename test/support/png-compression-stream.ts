/**
 * The PNG encoder the product used before libspng's zlib took over (core/codecs/png.ts):
 * the Up filter in JS and the platform's `CompressionStream("deflate")` (zlib level 6). Kept for
 * the tests: a second, independent encoder to make PNG fixtures and to compare sizes against.
 */
import { concatBytes } from "./bytes";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (let i = 0; i < part.length; i++) c = CRC_TABLE[(c ^ part[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array[] {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) head[4 + i] = type.charCodeAt(i);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc32([head.subarray(4), data]));
  return [head, data, tail];
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Filtered bytes per write to the compressor. */
const BATCH_BYTES = 2 << 20;


/** Colour types of the PNG spec for 1 and 4 channels. */
const COLOR_TYPE: Record<1 | 4, number> = { 1: 0, 4: 6 };

const join = concatBytes;

/**
 * Encodes bands of 8-bit grey (1 channel) or RGBA (4 channels) rows, yielding the file's bytes
 * as they are ready.
 * @example for await (const bytes of pngChunks(bands, w, h, 4)) controller.enqueue(bytes);
 */
export async function* pngChunks(bands: Iterable<Uint8Array>, width: number, height: number, channels: 1 | 4): AsyncGenerator<Uint8Array> {
  const stride = width * channels;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOR_TYPE[channels];
  yield join([SIGNATURE, ...chunk("IHDR", header)]);

  const deflate = new CompressionStream("deflate");
  const writer = deflate.writable.getWriter();
  const reader = deflate.readable.getReader();
  const compressed: Uint8Array[] = [];
  let failure: unknown;
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      compressed.push(value);
    }
  })().catch((error) => (failure = error));
  const flush = () => {
    if (failure) throw failure;
    const data = compressed.splice(0);
    return data.length ? join(data.flatMap((d) => chunk("IDAT", d))) : null;
  };
  // "Up" filter (each byte minus the one above it): cheap, and good on photos and masks.
  // Filtered rows are handed to the compressor a few MB at a time: each write is a round trip.
  const previous = new Uint8Array(stride);
  const batchRows = Math.max(1, Math.floor(BATCH_BYTES / (stride + 1)));
  let filtered = new Uint8Array(batchRows * (stride + 1));
  let held = 0;
  let y = 0;
  for (const band of bands) {
    const rows = band.length / stride;
    for (let r = 0; r < rows; r++, y++) {
      const out = held * (stride + 1);
      const at = r * stride;
      filtered[out] = y === 0 ? 0 : 2;
      if (y === 0) filtered.set(band.subarray(at, at + stride), out + 1);
      else for (let i = 0; i < stride; i++) filtered[out + 1 + i] = band[at + i] - previous[i];
      previous.set(band.subarray(at, at + stride));
      if (++held === batchRows) {
        await writer.write(filtered);
        filtered = new Uint8Array(batchRows * (stride + 1));
        held = 0;
        const ready = flush();
        if (ready) yield ready;
      }
    }
  }
  if (held) await writer.write(filtered.subarray(0, held * (stride + 1)));
  if (y !== height) throw new RangeError(`${y} rows for a ${height}-row PNG`);
  await writer.close();
  await drained;
  const rest = flush();
  if (rest) yield rest;
  yield join(chunk("IEND", new Uint8Array(0)));
}

/**
 * Encodes a whole picture in memory as PNG chunks (tests and small images).
 * @example new Response(new Blob(await encodePng(mask, w, h, 1)), { headers: { "content-type": "image/png" } })
 */
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 4): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of pngChunks([pixels], width, height, channels)) out.push(part);
  return out;
}
