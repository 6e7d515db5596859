/**
 * Output encoding: PNG (our own encoder, grey or RGBA), lossless WebP and JPEG (photon).
 * `format=` decides; without it the `Accept` header may pick WebP; otherwise PNG. JPEG has no
 * alpha, so it is refused for images with transparency. photon's WebP encoder needs about
 * 8 B a pixel of WASM memory on top of the pixels, so WebP is limited in size (README).
 */
import { PhotonImage } from "@cf-wasm/photon";
import { ApiError } from "../errors";
import { encodePng } from "./png";

export type OutputFormat = "png" | "webp" | "jpeg";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["png", "webp", "jpeg"];

/** Largest output photon encodes as WebP within the front worker's memory budget. */
export const MAX_WEBP_PIXELS = 2_097_152;
const JPEG_QUALITY = 90;

export interface Rendered {
  /** 8-bit grey (1 channel) or RGBA (4), row-major. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 4;
  /** True when every alpha is 255 (or there is no alpha): JPEG can carry it. */
  opaque: boolean;
}

const MIME: Record<OutputFormat, string> = { png: "image/png", webp: "image/webp", jpeg: "image/jpeg" };

/** True when the client's Accept header takes WebP (a cache key varies on this, not on Accept). */
export const acceptsWebp = (accept: string | undefined) => /\bimage\/webp\b/i.test(accept ?? "");

/** The format to answer in: the explicit one, else WebP when accepted and small enough, else PNG. */
export function chooseFormat(requested: OutputFormat | undefined, accept: string | undefined, image: Rendered): OutputFormat {
  if (requested === "jpeg" && !image.opaque) {
    throw new ApiError("invalid_parameter", "format=jpeg needs an opaque result: JPEG has no transparency (use png or webp, or set bg=)");
  }
  if (requested === "webp" && image.width * image.height > MAX_WEBP_PIXELS) {
    throw new ApiError("image_too_large", `WebP output is limited to ${MAX_WEBP_PIXELS} pixels at the edge; use max_side= or format=png`);
  }
  if (requested) return requested;
  return acceptsWebp(accept) && image.width * image.height <= MAX_WEBP_PIXELS ? "webp" : "png";
}

/** RGBA for photon, which only takes 4 channels. */
function toRgba(image: Rendered): Uint8Array {
  if (image.channels === 4) return image.pixels;
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let i = 0, o = 0; i < image.pixels.length; i++, o += 4) {
    rgba[o] = rgba[o + 1] = rgba[o + 2] = image.pixels[i];
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** Encodes an image; returns body parts (joined by the Response) and the content type. */
export async function encodeImage(image: Rendered, format: OutputFormat): Promise<{ body: Uint8Array[]; contentType: string }> {
  if (format === "png") {
    return { body: await encodePng(image.pixels, image.width, image.height, image.channels), contentType: MIME.png };
  }
  const photon = new PhotonImage(toRgba(image), image.width, image.height);
  try {
    const bytes = format === "jpeg" ? photon.get_bytes_jpeg(JPEG_QUALITY) : photon.get_bytes_webp();
    return { body: [bytes], contentType: MIME[format] };
  } finally {
    photon.free();
  }
}
