/**
 * Mask post-processing shared by every endpoint, in a fixed order: edge refinement (snap the
 * upsampled 320×320 mask to the photo's edges), cleanup (drop specks, fill pinholes),
 * threshold (hard cut), feather (soft edge of a chosen width).
 */
import type { QueryParams } from "../params";
import type { RgbaImage } from "../image/decode";
import { cleanup, feather, guidedRefine, threshold } from "../refine";

export interface MaskOptions {
  refine: boolean;
  cleanup: boolean;
  threshold?: number;
  feather?: number;
}

export function readMaskOptions(params: QueryParams): MaskOptions {
  return {
    refine: params.flag("refine"),
    cleanup: params.flag("cleanup"),
    threshold: params.number("threshold", { min: 1, max: 255, integer: true }),
    feather: params.number("feather", { min: 0, max: 50 }),
  };
}

/** Applies the options to the mask in place. */
export function postprocess(mask: Uint8Array, image: RgbaImage, options: MaskOptions): void {
  const { width, height } = image;
  if (options.refine) guidedRefine(mask, image.pixels, width, height);
  if (options.cleanup) cleanup(mask, width, height);
  if (options.threshold !== undefined) threshold(mask, options.threshold);
  if (options.feather) feather(mask, width, height, options.feather);
}
