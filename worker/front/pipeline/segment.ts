/**
 * The pipeline every endpoint shares, once the file is in: inspect its headers, choose the
 * backend, check the memory plan, then stream the photo through the model's input (the photo
 * is never decoded whole), run the model (edge or GPU server, falling back to the edge when
 * allowed) and set up the mask at the photo's size, band by band. Effects compose from there.
 */
import type { Codecs } from "../../../core/codecs";
import { ApiError } from "../../../core/errors";
import { MaskRows, toMask8 } from "../../../core/mask";
import { FP32_EDGE_MODEL, edgeModel, type ModelSpec } from "../../../core/models";
import { Job } from "../../../core/pipeline/job";
import { type Ledger } from "../../../core/pipeline/ledger";
import { MaskBands, holdsWholeMask, type MaskOptions } from "../../../core/pipeline/mask-bands";
import { inspect, openPhoto, type Inspection } from "../../../core/pipeline/open";
import { FRONT_BUDGET_BYTES, overBudget, planMemory, type Needs, type WasmNow } from "../../../core/pipeline/budget";
import { wholeEncode, type OutputFormat } from "../../../core/encode";
import type { Preference } from "../../../core/encode/negotiate";
import { resized, type ImageSource } from "../../../core/pipeline/sources";
import { modelInput } from "../../../core/preprocess";
import type { Laps } from "../timing";
import { backendConfigFrom } from "../backends/config";
import { inferOnGpu } from "../backends/gpu";
import type { Limits } from "../config";
import { asApiError } from "../codecs";
import { planRoute, type RoutePlan } from "./route-plan";
import type { Routing } from "./routing";
import { InferenceFailure, infer } from "./segmenter-client";

export interface Segmented {
  inspection: Inspection;
  job: Job;
  /** The model that answered, e.g. `u2netp` (edge) or `u2net` (GPU server). */
  model: string;
  /** Where it ran: the edge segmenter worker or the GPU inference server. */
  backend: "edge" | "gpu";
  /** Set when the requested backend failed and the edge answered instead: why. */
  fallback?: string;
  /** Bytes of the budget this photo's plan leaves (for a background image beside it). */
  spare: number;
  /** The plan had no room for the preferred whole-picture encoder: answer in a streaming format. */
  streamOnly: boolean;
}

export interface SegmentOptions {
  /** Scale the photo down first so its longer side is at most this (`max_side=`). */
  maxSide?: number;
  routing: Routing;
  mask: MaskOptions;
  /** What the effect will need beyond streaming rows (for the memory plan). */
  needs: Needs;
  /** The answer's preferred format: AVIF and WebP are encoded whole (memory plan). */
  format: Preference<OutputFormat>;
  /** `quality=` (lossless WebP needs more memory). */
  quality?: number;
  /** The codecs' WebAssembly memories now. */
  wasmNow: WasmNow;
  /** Told when the model input is decoded and when inference ends (Server-Timing). */
  laps?: Laps;
}

/** The model's raw output, and who made it. */
type ModelOutput = { raw: Float32Array; spec: ModelSpec; backend: "edge" | "gpu"; fallback?: string };

/**
 * The edge's segmenter for a request: `EDGE_MODEL` through SEGMENTER, or for `exact` requests
 * (`quality=high` without a GPU server) the fp32 model through SEGMENTER_FP32 where that is
 * bound: a second segmenter, since the int8 and fp32 sessions do not fit one isolate together.
 */
function edgeSegmenter(env: Env, exact: boolean): { server: Fetcher; spec: ModelSpec } {
  if (exact && env.SEGMENTER_FP32) return { server: env.SEGMENTER_FP32, spec: edgeModel(FP32_EDGE_MODEL) };
  return { server: env.SEGMENTER, spec: edgeModel(env.EDGE_MODEL) };
}

/** The edge model through a service binding (same data centre: no retries). */
async function inferOnEdge(env: Env, photo: ImageSource, fallback?: string, laps?: Laps, exact = false): Promise<ModelOutput> {
  const { server, spec } = edgeSegmenter(env, exact);
  const input = modelInput(photo.open(), spec);
  laps?.lap("decode");
  try {
    const raw = await infer({ server, baseUrl: "http://segmenter", spec, datatype: "FP32" }, input);
    return { raw, spec, backend: "edge", fallback };
  } catch (cause) {
    throw new ApiError("segmenter_unavailable", cause instanceof InferenceFailure && cause.reason !== "unreachable" ? "The segmentation model answered something unreadable" : undefined, { cause });
  }
}

/** The planned backend, and the edge in its place when the GPU fails and that is allowed. */
async function run(plan: RoutePlan, env: Env, photo: ImageSource, laps?: Laps): Promise<ModelOutput> {
  if (plan.backend === "edge") return inferOnEdge(env, photo, plan.fallback, laps, plan.exact);
  const { gpu } = plan;
  try {
    const input = modelInput(photo.open(), gpu.spec);
    laps?.lap("decode");
    return { raw: await inferOnGpu(gpu, input), spec: gpu.spec, backend: "gpu" };
  } catch (cause) {
    if (!(cause instanceof InferenceFailure)) throw cause;
    console.warn(`GPU backend failed (${cause.reason}): ${cause.message}`);
    laps?.lap("infer"); // the GPU attempt
    if (plan.fallback) return inferOnEdge(env, photo, cause.reason, laps);
    throw new ApiError("backend_unavailable", `The GPU inference server failed (${cause.reason}) and the edge cannot answer instead`, { cause });
  }
}

/** The size `max_side=` brings a photo to. */
function shrunk(width: number, height: number, maxSide?: number): { width: number; height: number } {
  const scale = maxSide ? maxSide / Math.max(width, height) : 1;
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Runs the shared pipeline on an image file, up to the mask. */
export async function segment(bytes: Uint8Array, env: Env, limits: Limits, codecs: Codecs, ledger: Ledger, options: SegmentOptions): Promise<Segmented> {
  try {
    let plan: RoutePlan | undefined;
    const gpu = backendConfigFrom(env as unknown as Record<string, unknown>);
    const inspection = inspect(bytes, codecs, (size) => (plan = planRoute(options.routing, size, limits, gpu)));
    if (!plan) throw new Error("inspect did not check the size");
    const size = shrunk(inspection.width, inspection.height, options.maxSide);
    const needs = {
      ...options.needs,
      wholeMask: options.needs.wholeMask || holdsWholeMask(options.mask, options.needs.rowsAgain),
      wholeEncode: wholeEncode(options.format, size.width * size.height, options.quality),
    };
    let memory = planMemory(inspection, bytes.length, needs, size, options.wasmNow);
    // A negotiated AVIF/WebP that does not fit gives way to PNG, which streams; an explicit one is refused.
    const streamOnly = !!needs.wholeEncode && !options.format.explicit && memory.bytes > FRONT_BUDGET_BYTES;
    if (streamOnly) memory = planMemory(inspection, bytes.length, { ...needs, wholeEncode: undefined }, size, options.wasmNow);
    const refusal = overBudget({ ...inspection, ...size }, memory);
    if (refusal) throw new ApiError("image_too_large", refusal);
    const photo = resized(openPhoto(bytes, inspection, codecs, ledger), size.width, size.height);
    const { raw, spec, backend, fallback } = await run(plan, env, photo, options.laps);
    options.laps?.lap("infer");
    const base = new MaskRows(toMask8(raw), spec.size, spec.size, photo.width, photo.height);
    ledger.take(base.bytes);
    const mask = new MaskBands(base, options.mask, ledger);
    mask.prepare(photo);
    const spare = FRONT_BUDGET_BYTES - memory.bytes;
    return { inspection, job: new Job(photo, mask, base, ledger, spec.id), model: spec.id, backend, spare, streamOnly, ...(fallback ? { fallback } : {}) };
  } catch (error) {
    throw asApiError(error);
  }
}
