/**
 * The pipeline every endpoint shares: check the file, choose the backend, decode, pre-process,
 * run the model (edge or GPU server, falling back to the edge when allowed), and bring the mask
 * back to the photo's size. Effects (../effects) then compose the answer.
 */
import { edgeModel, type ModelSpec } from "../../shared/models";
import { backendConfigFrom } from "../backends/config";
import { inferOnGpu } from "../backends/gpu";
import type { Limits } from "../config";
import { ApiError } from "../errors";
import { resizeImage } from "../compose";
import { decodeImage, type RgbaImage } from "../image/decode";
import { sniffImage, type ImageInfo } from "../image/sniff";
import { toModelInput } from "./preprocess";
import { resizeMask, toMask8 } from "./mask";
import { checkPixels, planRoute, type RoutePlan } from "./route-plan";
import type { Routing } from "./routing";
import { InferenceFailure, infer } from "./segmenter-client";

export interface Segmented {
  info: ImageInfo;
  image: RgbaImage;
  /** One byte a pixel, the photo's size: 255 is the salient object. */
  mask: Uint8Array;
  /** The model that answered, e.g. `u2netp` (edge) or `u2net` (GPU server). */
  model: string;
  /** Where it ran: the edge segmenter worker or the GPU inference server. */
  backend: "edge" | "gpu";
  /** Set when the requested backend failed and the edge answered instead: why. */
  fallback?: string;
}

export interface SegmentOptions {
  /** Scale the photo down first so its longer side is at most this (`max_side=`). */
  maxSide?: number;
  routing: Routing;
}

/** The model's raw output, and who made it. */
type ModelOutput = { raw: Float32Array; spec: ModelSpec; backend: "edge" | "gpu"; fallback?: string };

/** Refuses images over the edge's limits from the header alone, before any decode. */
export function checkSize(info: ImageInfo, limits: Limits): void {
  checkPixels(info, limits.maxPixels, limits.maxSide, "edge");
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

/** The edge model through the SEGMENTER service binding (same data centre: no retries). */
async function inferOnEdge(env: Env, image: RgbaImage, fallback?: string): Promise<ModelOutput> {
  const spec = edgeModel(env.EDGE_MODEL);
  try {
    const raw = await infer({ server: env.SEGMENTER, baseUrl: "http://segmenter", spec, datatype: "FP32" }, toModelInput(image, spec));
    return { raw, spec, backend: "edge", fallback };
  } catch (cause) {
    throw new ApiError("segmenter_unavailable", cause instanceof InferenceFailure && cause.reason !== "unreachable" ? "The segmentation model answered something unreadable" : undefined, { cause });
  }
}

/** The planned backend, and the edge in its place when the GPU fails and that is allowed. */
async function run(plan: RoutePlan, env: Env, image: RgbaImage): Promise<ModelOutput> {
  if (plan.backend === "edge") return inferOnEdge(env, image, plan.fallback);
  const { gpu } = plan;
  try {
    return { raw: await inferOnGpu(gpu, toModelInput(image, gpu.spec)), spec: gpu.spec, backend: "gpu" };
  } catch (cause) {
    if (!(cause instanceof InferenceFailure)) throw cause;
    console.warn(`GPU backend failed (${cause.reason}): ${cause.message}`);
    if (plan.fallback) return inferOnEdge(env, image, cause.reason);
    throw new ApiError("backend_unavailable", `The GPU inference server failed (${cause.reason}) and the edge cannot answer instead`, { cause });
  }
}

/** Runs the whole pipeline on an image file. */
export async function segment(bytes: Uint8Array, env: Env, limits: Limits, options: SegmentOptions): Promise<Segmented> {
  const info = sniffImage(bytes);
  const plan = planRoute(options.routing, info, limits, backendConfigFrom(env as unknown as Record<string, unknown>));
  const image = shrink(decodeImage(bytes, info), options.maxSide);
  const { raw, spec, backend, fallback } = await run(plan, env, image);
  const mask = resizeMask(toMask8(raw), spec.size, spec.size, image.width, image.height);
  return { info, image, mask, model: spec.id, backend, ...(fallback ? { fallback } : {}) };
}
