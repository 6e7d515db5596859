/**
 * Decoding with photon (JPEG, PNG, WebP → RGBA). The pixels are copied out and photon's image
 * freed at once, so photon's WASM memory holds nothing between requests: its high-water mark
 * is one decode.
 */
import { PhotonImage, initPhoton } from "@cf-wasm/photon";
import { ApiError } from "../errors";
import type { ImageInfo } from "./sniff";

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, 4 bytes a pixel. */
  pixels: Uint8Array;
}

let traps = 0;

/** Decodes an image whose header was already checked by sniffImage. */
export function decodeImage(bytes: Uint8Array, info: ImageInfo): RgbaImage {
  let image: PhotonImage;
  try {
    image = PhotonImage.new_from_byteslice(bytes);
  } catch (cause) {
    // photon aborts (a WASM trap) on data its decoder rejects; the instance stays usable.
    traps++;
    throw new ApiError("undecodable_image", `The ${info.format.toUpperCase()} data could not be decoded`, { cause });
  }
  try {
    const width = image.get_width();
    const height = image.get_height();
    if (width !== info.width || height !== info.height) {
      throw new ApiError("undecodable_image", `The header says ${info.width}×${info.height} but the data is ${width}×${height}`);
    }
    return { width, height, pixels: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

/** Bytes of photon's WebAssembly memory (its high-water mark: WASM memory never shrinks). */
export async function photonMemoryBytes(): Promise<number> {
  const exports = (await initPhoton.ensure()) as unknown as { memory: WebAssembly.Memory };
  return exports.memory.buffer.byteLength;
}

/** Decodes photon refused with a trap since the isolate started (each leaks its buffers). */
export function decoderTraps(): number {
  return traps;
}
