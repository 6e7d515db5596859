/**
 * Decoders for the answers' formats inside workerd: jSquash's AVIF and WebP decoders (the
 * product only encodes these), photon for PNG and JPEG. Pixels come back as RGBA.
 */
import decodeAvifFile, { init as initAvifDecoder } from "@jsquash/avif/decode.js";
import decodeWebpFile, { init as initWebpDecoder } from "@jsquash/webp/decode.js";
import avifDecoderModule from "@jsquash/avif/codec/dec/avif_dec.wasm";
import webpDecoderModule from "@jsquash/webp/codec/dec/webp_dec.wasm";
import { decode, type Decoded } from "../helpers";

let ready: Promise<unknown> | undefined;

/** Decodes an answer by its Content-Type. */
export async function decodeAnswer(bytes: Uint8Array, mime: string | null): Promise<Decoded> {
  ready ??= Promise.all([initAvifDecoder(avifDecoderModule), initWebpDecoder(webpDecoderModule)]);
  await ready;
  if (mime === "image/avif" || mime === "image/webp") {
    const buffer = bytes.slice().buffer;
    const image = mime === "image/avif" ? await decodeAvifFile(buffer) : await decodeWebpFile(buffer);
    if (!image) throw new Error(`${mime}: not decodable`);
    return { width: image.width, height: image.height, rgba: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
  }
  return decode(bytes);
}

/** Mean absolute difference (0..255) of one channel (0 = R … 3 = A) between two RGBA buffers. */
export function channelMae(a: Uint8Array, b: Uint8Array, c: number): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = c; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]);
  return sum / (a.length / 4);
}

/** Mean absolute difference (0..255) of the colours premultiplied by alpha (what a page shows on black). */
export function premultipliedMae(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += Math.abs((a[i + c] * a[i + 3]) / 255 - (b[i + c] * b[i + 3]) / 255);
  }
  return sum / ((a.length / 4) * 3);
}
