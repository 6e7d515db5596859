/**
 * The front worker's codecs: the product's libjpeg-turbo and libspng builds, photon for WebP
 * input (decoded whole), and jSquash's single-threaded AVIF and WebP encoders, all compiled by
 * wrangler at deploy time (workerd compiles no WASM at run time). One instance each per
 * isolate, shared by requests (the pipeline admits one photo at a time).
 */
import { initPhoton } from "@cf-wasm/photon";
import avifFactory from "@jsquash/avif/codec/enc/avif_enc.js";
import avifModule from "@jsquash/avif/codec/enc/avif_enc.wasm";
import webpFactory from "@jsquash/webp/codec/enc/webp_enc_simd.js";
import webpModule from "@jsquash/webp/codec/enc/webp_enc_simd.wasm";
import { refusalAsApiError, type Codecs } from "../../core/codecs";
import { decodeWebpWithPhoton } from "../../core/codecs/photon-webp";
import { JpegCodec } from "../../core/codecs/jpeg";
import { PngCodec } from "../../core/codecs/png";
import { CodecError } from "../../core/codecs/wasm-host";
import { WholeEncoder, type EncoderFactory } from "../../core/encode/whole-encoder";
import type { RgbaImage } from "../../core/image";
import jpegModule from "../../core/codecs/jpeg.wasm";
import pngModule from "../../core/codecs/png.wasm";

let photonMemory: WebAssembly.Memory | undefined;
let traps = 0;

/** photon's WebP decode, its refusals counted with the other decoders'. */
function decodeWebp(bytes: Uint8Array): RgbaImage {
  try {
    return decodeWebpWithPhoton(bytes);
  } catch (error) {
    traps++;
    throw error;
  }
}

const jpeg = new JpegCodec(jpegModule);
const png = new PngCodec(pngModule);
const avif = new WholeEncoder(avifFactory as EncoderFactory, avifModule);
const webp = new WholeEncoder(webpFactory as EncoderFactory, webpModule);

export const codecs: Codecs = {
  jpeg,
  png,
  decodeWebp,
  avif,
  webp,
  wasmBytes: () => jpeg.peakBytes() + png.peakBytes() + (photonMemory?.buffer.byteLength ?? 0) + avif.memoryBytes() + webp.memoryBytes(),
};

/** Bytes of every codec's WebAssembly memory (their high-water marks: WASM memory never shrinks). */
export async function codecMemoryBytes(): Promise<{ jpeg: number; png: number; photon: number; avif: number; webp: number }> {
  photonMemory ??= ((await initPhoton.ensure()) as unknown as { memory: WebAssembly.Memory }).memory;
  return { jpeg: jpeg.peakBytes(), png: png.peakBytes(), photon: photonMemory.buffer.byteLength, avif: avif.memoryBytes(), webp: webp.memoryBytes() };
}

/** Files the decoders refused since the isolate started (each a 422; the decoders carry on). */
export const decoderTraps = () => traps;

/** A codec's refusal as the API's error. */
export function asApiError(error: unknown): unknown {
  if (error instanceof CodecError) traps++;
  return refusalAsApiError(error);
}
