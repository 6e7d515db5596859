/**
 * WebP input through photon (decoded whole), for the front worker and the CLI alike. photon
 * aborts (a WASM trap) on data its decoder rejects; the instance stays usable.
 */
import { PhotonImage } from "@cf-wasm/photon";
import { ApiError } from "../errors";
import type { RgbaImage } from "../image";

export function decodeWebpWithPhoton(bytes: Uint8Array): RgbaImage {
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
