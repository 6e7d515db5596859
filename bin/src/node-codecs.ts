/**
 * The pipeline's codecs in Node, the ones the front worker uses (worker/front/codecs.ts): the
 * product's own libjpeg-turbo and libspng WASM builds, photon for WebP input, jSquash's AVIF and
 * WebP encoders, each compiled here from the same .wasm bytes, so every format comes out
 * byte-equal to the API's.
 */
import { readFileSync } from "node:fs";
import avifFactory from "@jsquash/avif/codec/enc/avif_enc.js";
import webpFactory from "@jsquash/webp/codec/enc/webp_enc_simd.js";
import type { Codecs } from "../../core/codecs/index.ts";
import { decodeWebpWithPhoton } from "../../core/codecs/photon-webp.ts";
import { JpegCodec } from "../../core/codecs/jpeg.ts";
import { PngCodec } from "../../core/codecs/png.ts";
import { WholeEncoder, type EncoderFactory } from "../../core/encode/whole-encoder.ts";
import { inRepo } from "./paths.ts";

// Node compiles WASM from bytes (workerd's types say it cannot).
const compile = (file: string) => new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(readFileSync(inRepo(file)));

/** One set of codecs per thread (each WASM instance is single-threaded). */
export function nodeCodecs(): Codecs {
  const jpeg = new JpegCodec(compile("core/codecs/jpeg.wasm"));
  const png = new PngCodec(compile("core/codecs/png.wasm"));
  const avif = new WholeEncoder(avifFactory as EncoderFactory, compile("node_modules/@jsquash/avif/codec/enc/avif_enc.wasm"));
  const webp = new WholeEncoder(webpFactory as EncoderFactory, compile("node_modules/@jsquash/webp/codec/enc/webp_enc_simd.wasm"));
  return { jpeg, png, decodeWebp: decodeWebpWithPhoton, avif, webp, wasmBytes: () => jpeg.peakBytes() + png.peakBytes() + avif.memoryBytes() + webp.memoryBytes() };
}
