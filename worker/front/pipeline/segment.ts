/**
 * The pipeline every endpoint shares: check the file, decode it, pre-process, run the model,
 * and bring the mask back to the photo's size. Effects (../effects) then compose the answer.
 */
import { MODELS, DEFAULT_MODEL } from "../../shared/models";
import type { Limits } from "../config";
import { ApiError } from "../errors";
import { resizeImage } from "../compose";
import { decodeImage, type RgbaImage } from "../image/decode";
import { sniffImage, type ImageInfo } from "../image/sniff";
import { toModelInput } from "./preprocess";
import { resizeMask, toMask8 } from "./mask";
import type { Routing } from "./routing";
import { infer } from "./segmenter-client";

export interface Segmented {
  info: ImageInfo;
  image: RgbaImage;
  /** One byte a pixel, the photo's size: 255 is the salient object. */
  mask: Uint8Array;
  /** The model that answered, e.g. `u2netp` (edge) or `u2net` (GPU server). */
  model: string;
  /** Set when the requested backend failed and the edge answered instead: why. */
  fallback?: string;
}

export interface SegmentOptions {
  /** Scale the photo down first so its longer side is at most this (`max_side=`). */
  maxSide?: number;
  routing: Routing;
}

/** Refuses images over the edge's limits from the header alone, before any decode. */
export function checkSize(info: ImageInfo, limits: Limits): void {
  if (info.width > limits.maxSide || info.height > limits.maxSide) {
    throw new ApiError("image_too_large", `${info.width}×${info.height} has a side over ${limits.maxSide} px`);
  }
  if (info.width * info.height > limits.maxPixels) {
    throw new ApiError("image_too_large", `${info.width}×${info.height} is over the edge limit of ${limits.maxPixels} pixels`);
  }
}

/**
 * Brings the longer side down to `maxSide`. In JS, not photon: photon's resize grew its WASM
 * memory from 54 to 100 MiB at 4 MP (measured), and WASM memory never shrinks.
 */
function shrink(image: RgbaImage, maxSide?: number): RgbaImage {
  const scale = maxSide ? maxSide / Math.max(image.width, image.height) : 1;
  if (scale >= 1) return image;
  return resizeImage(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
}

/** Runs the whole pipeline on an image file. */
export async function segment(bytes: Uint8Array, env: Env, limits: Limits, options: SegmentOptions): Promise<Segmented> {
  const info = sniffImage(bytes);
  checkSize(info, limits);
  const spec = MODELS[DEFAULT_MODEL];
  const image = shrink(decodeImage(bytes, info), options.maxSide);
  const raw = await infer(env.SEGMENTER, spec, toModelInput(image, spec));
  const mask = resizeMask(toMask8(raw), spec.size, spec.size, image.width, image.height);
  return { info, image, mask, model: spec.id };
}
