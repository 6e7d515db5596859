/**
 * The codecs a runtime hands the pipeline. libjpeg-turbo and libspng are the product's own WASM
 * builds (codecs/), the same bytes everywhere; WebP input comes from whatever the runtime has
 * (photon in the workers); AVIF and WebP output from jSquash's builds, whose compiled modules
 * the runtime hands over.
 */
import type { PictureEncoder } from "../encode/whole-encoder";
import { ApiError } from "../errors";
import type { RgbaImage } from "../image";
import type { JpegCodec } from "./jpeg";
import type { PngCodec } from "./png";
import { CodecError } from "./wasm-host";

export interface Codecs {
  jpeg: JpegCodec;
  png: PngCodec;
  /** Decodes a WebP file whole (the file is small: its cap is checked from the header first). */
  decodeWebp(bytes: Uint8Array): RgbaImage;
  /** Whole-picture encoders (core/encode/avif.ts, webp.ts). */
  avif: PictureEncoder;
  webp: PictureEncoder;
  /** Bytes of every codec's WebAssembly memory now. */
  wasmBytes(): number;
}

/** A codec's refusal (a trap or a libjpeg/libspng error) as the API's 422; other errors pass through. */
export function refusalAsApiError(error: unknown): unknown {
  if (!(error instanceof CodecError)) return error;
  return new ApiError("undecodable_image", `The image could not be decoded: ${error.message}`, { cause: error });
}
