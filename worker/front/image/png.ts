/**
 * PNG encoding in JS on the platform's zlib (`CompressionStream("deflate")`). photon only
 * writes RGBA PNGs and needs two more full-size copies in WASM memory; this writes grey or
 * RGBA, streams rows through the compressor band by band, and hands the compressed chunks to
 * the Response without joining them.
 */

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
const BAND_BYTES = 1 << 20;

/** Colour types of the PNG spec for 1 and 4 channels. */
const COLOR_TYPE: Record<1 | 4, number> = { 1: 0, 4: 6 };

/**
 * Encodes 8-bit grey (1 channel) or RGBA (4 channels) pixels as PNG chunks.
 * @example new Response(new Blob(await encodePng(mask, w, h, 1)), { headers: { "content-type": "image/png" } })
 */
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 4): Promise<Uint8Array[]> {
  const stride = width * channels;
  const deflate = new CompressionStream("deflate");
  const writer = deflate.writable.getWriter();
  const compressed: Uint8Array[] = [];
  const drained = (async () => {
    const reader = deflate.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      compressed.push(value);
    }
  })();
  // "Up" filter (each byte minus the one above it): cheap, and good on photos and masks.
  const rowsPerBand = Math.max(1, Math.floor(BAND_BYTES / (stride + 1)));
  for (let y0 = 0; y0 < height; y0 += rowsPerBand) {
    const rows = Math.min(rowsPerBand, height - y0);
    const band = new Uint8Array(rows * (stride + 1));
    for (let r = 0; r < rows; r++) {
      const y = y0 + r;
      const out = r * (stride + 1);
      const at = y * stride;
      band[out] = y === 0 ? 0 : 2;
      if (y === 0) band.set(pixels.subarray(at, at + stride), out + 1);
      else for (let i = 0; i < stride; i++) band[out + 1 + i] = pixels[at + i] - pixels[at - stride + i];
    }
    await writer.write(band);
  }
  await writer.close();
  await drained;

  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOR_TYPE[channels];
  return [SIGNATURE, ...chunk("IHDR", header), ...compressed.flatMap((data) => chunk("IDAT", data)), ...chunk("IEND", new Uint8Array(0))];
}
