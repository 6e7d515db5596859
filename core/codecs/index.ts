/**
 * The codecs a runtime hands the pipeline. libjpeg-turbo and libspng are the product's own WASM
 * builds (codecs/), the same bytes everywhere; whole-picture formats (WebP today) come from
 * whatever the runtime has, photon in the workers.
 */
import type { RgbaImage } from "../image";
import type { JpegCodec } from "./jpeg";
import type { PngCodec } from "./png";

export interface Codecs {
  jpeg: JpegCodec;
  png: PngCodec;
  /** Decodes a WebP file whole (the file is small: its cap is checked from the header first). */
  decodeWebp(bytes: Uint8Array): RgbaImage;
  /** Encodes a whole picture as lossless WebP. */
  encodeWebp(image: RgbaImage): Uint8Array;
  /** Bytes of every codec's WebAssembly memory now. */
  wasmBytes(): number;
}
