/**
 * Which model answers a request: `model=u2netp|u2net|auto` (default auto), `quality=high`,
 * `strict=1`. Read with the other parameters, before the image is fetched.
 */
import { readQuality } from "../../../core/encode/quality";
import type { QueryParams } from "../../../core/params";

export const MODEL_CHOICES = ["u2netp", "u2net", "auto"] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

export interface Routing {
  model: ModelChoice;
  /** `quality=high`: prefer the GPU server's full model under `auto`. */
  highQuality: boolean;
  /** `strict=1`: never fall back to the edge; fail with 503 backend_unavailable instead. */
  strict: boolean;
}

export function readRouting(params: QueryParams): Routing {
  return {
    model: params.oneOf("model", MODEL_CHOICES) ?? "auto",
    // quality= is also the encoders' 1..100 (core/encode/quality.ts reads both meanings).
    highQuality: readQuality(params).word === "high",
    strict: params.flag("strict"),
  };
}
