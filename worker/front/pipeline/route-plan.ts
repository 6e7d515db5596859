/**
 * Where a request's mask is made, decided from the header alone (before decoding):
 *
 * - `model=u2netp`: the edge model.
 * - `model=u2net`: the GPU server; without one, the edge answers (`X-Fallback: not_configured`).
 * - `model=auto` (default): the GPU server when one is configured and the image has more than
 *   `GPU_AUTO_PIXELS` pixels (or more than the edge accepts) or `quality=high`; else the edge.
 *
 * A GPU request may fall back to the edge when the server fails, unless `strict=1` or the image
 * is over the edge's pixel cap (then 503 backend_unavailable). `quality=high` answered on the edge
 * asks for its fp32 model (`exact`), which runs where its own segmenter is bound.
 */
import type { GpuConfig } from "../backends/config";
import type { Limits } from "../config";
import { ApiError } from "../../../core/errors";
import type { Routing } from "./routing";

/** A photo's size as shown (EXIF orientation applied). */
type Size = { width: number; height: number };

export type RoutePlan =
  /** The edge model; `fallback` says why when the GPU was asked for but cannot be used. */
  | { backend: "edge"; fallback?: "not_configured"; exact?: true }
  /** The GPU server; `fallback`: whether the edge may answer if it fails. */
  | { backend: "gpu"; gpu: GpuConfig; fallback: boolean };

function wantsGpu(routing: Routing, pixels: number, limits: Limits, gpu: GpuConfig | null): boolean {
  if (routing.model !== "auto") return routing.model === "u2net";
  if (!gpu) return false;
  return routing.highQuality || pixels > Math.min(gpu.autoPixels, limits.maxPixels);
}

/** Refuses an image over a pixel cap (and any image with a side over `maxSide`). */
export function checkPixels(info: Size, maxPixels: number, maxSide: number, where: string): void {
  if (info.width > maxSide || info.height > maxSide) {
    throw new ApiError("image_too_large", `${info.width}×${info.height} has a side over ${maxSide} px`);
  }
  if (info.width * info.height > maxPixels) {
    throw new ApiError("image_too_large", `${info.width}×${info.height} is over the ${where} limit of ${maxPixels} pixels`);
  }
}

/**
 * Chooses the backend for an image, or refuses it (413 image_too_large, 503 backend_unavailable).
 * @example planRoute({ model: "auto", highQuality: false, strict: false }, info, limits, null) // { backend: "edge" }
 */
export function planRoute(routing: Routing, info: Size, limits: Limits, gpu: GpuConfig | null): RoutePlan {
  const pixels = info.width * info.height;
  const fitsEdge = pixels <= limits.maxPixels;
  const exact = routing.highQuality ? { exact: true as const } : {};
  if (!wantsGpu(routing, pixels, limits, gpu)) {
    checkPixels(info, limits.maxPixels, limits.maxSide, "edge");
    return { backend: "edge", ...exact };
  }
  if (!gpu) {
    if (routing.strict) throw new ApiError("backend_unavailable", "model=u2net with strict=1, but no GPU server is configured");
    checkPixels(info, limits.maxPixels, limits.maxSide, "edge");
    return { backend: "edge", fallback: "not_configured", ...exact };
  }
  checkPixels(info, limits.maxPixels, limits.maxSide, "GPU");
  return { backend: "gpu", gpu, fallback: fitsEdge && !routing.strict };
}
