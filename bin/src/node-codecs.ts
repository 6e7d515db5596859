/**
 * The pipeline's codecs in Node, the ones the front worker uses (worker/front/codecs.ts): the
 * product's own libjpeg-turbo and libspng WASM builds, photon for WebP input, jSquash's AVIF and
 * WebP encoders, each compiled here from the same .wasm bytes, so every format comes out
 * byte-equal to the API's.
 */
import { readFileSync } from "node:fs";
import { PhotonImage } from "@cf-wasm/photon";
import avifFactory from "@jsquash/avif/codec/enc/avif_enc.js";
import webpFactory from "@jsquash/webp/codec/enc/webp_enc_simd.js";
import type { Codecs } from "../../core/codecs/index.ts";
import { JpegCodec } from "../../core/codecs/jpeg.ts";
import { PngCodec } from "../../core/codecs/png.ts";
import { CodecError } from "../../core/codecs/wasm-host.ts";
import { WholeEncoder, type EncoderFactory } from "../../core/encode/whole-encoder.ts";
import { ApiError } from "../../core/errors.ts";
import type { RgbaImage } from "../../core/image.ts";
import { inRepo } from "./paths.ts";

// Node compiles WASM from bytes (workerd's types say it cannot).
const compile = (file: string) => new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(readFileSync(inRepo(file)));

function decodeWebp(bytes: Uint8Array): RgbaImage {
  let image: PhotonImage;
  try {
    image = PhotonImage.new_from_byteslice(bytes);
  } catch (cause) {
    throw new ApiError("undecodable_image", "The WEBP data could not be decoded", { cause });
  }
  try {
    return { width: image.get_width(), height: image.get_height(), pixels: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

/** One set of codecs per thread (each WASM instance is single-threaded). */
export function nodeCodecs(): Codecs {
  const jpeg = new JpegCodec(compile("core/codecs/jpeg.wasm"));
  const png = new PngCodec(compile("core/codecs/png.wasm"));
  const avif = new WholeEncoder(avifFactory as EncoderFactory, compile("node_modules/@jsquash/avif/codec/enc/avif_enc.wasm"));
  const webp = new WholeEncoder(webpFactory as EncoderFactory, compile("node_modules/@jsquash/webp/codec/enc/webp_enc_simd.wasm"));
  return { jpeg, png, decodeWebp, avif, webp, wasmBytes: () => jpeg.peakBytes() + png.peakBytes() + avif.memoryBytes() + webp.memoryBytes() };
}

/** A codec's refusal as the API's error (as the front worker reports it). */
export function asApiError(error: unknown): unknown {
  if (!(error instanceof CodecError)) return error;
  return new ApiError("undecodable_image", `The image could not be decoded: ${error.message}`, { cause: error });
}
