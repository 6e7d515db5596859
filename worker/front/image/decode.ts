/**
 * Decoding with photon (JPEG, PNG, WebP → RGBA). The pixels are copied out and photon's image
 * freed at once, so photon's WASM memory holds nothing between requests: its high-water mark
 * is one decode.
 */
import { PhotonImage, SamplingFilter, initPhoton, resize } from "@cf-wasm/photon";
import { ApiError } from "../errors";
import type { ImageInfo } from "./sniff";

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, 4 bytes a pixel. */
  pixels: Uint8Array;
}

let traps = 0;

/** The size an image gets when its longer side is brought down to `maxSide`. */
export function fitWithin(width: number, height: number, maxSide?: number): { width: number; height: number } {
  const scale = maxSide ? Math.min(1, maxSide / Math.max(width, height)) : 1;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes an image whose header was already checked by sniffImage; with `maxSide`, a larger
 * image is scaled down inside photon before its pixels are copied out (cheaper than later).
 */
export function decodeImage(bytes: Uint8Array, info: ImageInfo, maxSide?: number): RgbaImage {
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
    const target = fitWithin(width, height, maxSide);
    if (target.width === width && target.height === height) return { width, height, pixels: image.get_raw_pixels() };
    const scaled = resize(image, target.width, target.height, SamplingFilter.Triangle);
    try {
      return { ...target, pixels: scaled.get_raw_pixels() };
    } finally {
      scaled.free();
    }
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
