/**
 * One image through the same core/ pipeline the front worker runs, with the model in this
 * process: parameters read and checked as the API reads them (worker/front/routes/
 * effect-route.ts), then inspect, max_side, the model's input streamed from the rows, the
 * model, the mask at the photo's size band by band, the effect, the encoder
 * (worker/front/pipeline/segment.ts). The same options give the API's bytes.
 *
 * Left out on purpose: the front worker's memory plan and pixel caps (a laptop is not an
 * isolate of 128 MB) and the routing to a GPU server (`--host` sends work to a service).
 */
import { readFile } from "node:fs/promises";
import { refusalAsApiError, type Codecs } from "../../core/codecs/index.ts";
import { EFFECTS, type Effect } from "../../core/effects/index.ts";
import type { Picture } from "../../core/effects/effect.ts";
import { ENCODERS, FORMAT_CHOICES, chooseFormat, preferFormat, readQuality, type FormatChoice, type OutputFormat } from "../../core/encode/index.ts";
import type { Preference } from "../../core/encode/negotiate.ts";
import { ApiError } from "../../core/errors.ts";
import { MaskRows, toMask8 } from "../../core/mask.ts";
import { QueryParams } from "../../core/params.ts";
import { Job } from "../../core/pipeline/job.ts";
import { Ledger } from "../../core/pipeline/ledger.ts";
import { MaskBands, readMaskOptions, type MaskOptions } from "../../core/pipeline/mask-bands.ts";
import { inspect, openPhoto } from "../../core/pipeline/open.ts";
import { resized, type ImageSource } from "../../core/pipeline/sources.ts";
import { modelInput } from "../../core/preprocess.ts";
import type { Segmenter } from "./runtime.ts";

/** An effect with its parameters read and checked (before any image is read). */
export interface Request {
  effect: Effect<unknown>;
  options: unknown;
  /** `format=` as given (`auto` or absent: PNG, a file has no Accept header to negotiate by). */
  format?: FormatChoice;
  preference: Preference<OutputFormat>;
  /** `quality=1..100` for the lossy encoders. */
  quality?: number;
  maxSide?: number;
  mask: MaskOptions;
}

export type Rendered = { json: unknown } | { bytes: Uint8Array; format: OutputFormat };

/** Largest `max_side` (the CLI has no isolate's memory cap, only the codecs' own). */
const MAX_SIDE = 65_535;

/** Reads an effect's parameters as the API does; throws ApiError (`invalid_parameter`) on a bad one. */
export function readRequest(effectName: string, query: URLSearchParams): Request {
  const effect = EFFECTS.find((e) => e.name === effectName);
  if (!effect) throw new ApiError("not_found", `no effect ${effectName}`);
  const params = new QueryParams(query);
  return {
    effect,
    format: params.oneOf("format", FORMAT_CHOICES),
    preference: preferFormat(params.oneOf("format", FORMAT_CHOICES), undefined),
    quality: readQuality(params).level,
    maxSide: params.number("max_side", { min: 16, max: MAX_SIDE, integer: true }),
    mask: readMaskOptions(params),
    // bg_url= may be a local file here: nothing to vet.
    options: effect.parse(params, { vetUrl: (raw) => raw }),
  };
}

/** The size `max_side=` brings a photo to (as segment.ts computes it). */
function shrunk(width: number, height: number, maxSide?: number): { width: number; height: number } {
  const scale = maxSide ? maxSide / Math.max(width, height) : 1;
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** An image file's bytes: a local path or an http(s) URL. */
export async function readSource(source: string): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(source)) return new Uint8Array(await readFile(source));
  const response = await fetch(source);
  if (!response.ok) throw new ApiError("upstream_error", `${source}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A file's upright rows, decoded again for each pass. */
function openFile(bytes: Uint8Array, codecs: Codecs, ledger: Ledger): ImageSource {
  return openPhoto(bytes, inspect(bytes, codecs), codecs, ledger);
}

/** The model and the mask over a source of rows: the Job every effect renders from. */
export async function segmentSource(photo: ImageSource, request: Request, segmenter: Segmenter, ledger: Ledger): Promise<Job> {
  const { spec } = segmenter;
  const raw = await segmenter.infer(modelInput(photo.open(), spec));
  const base = new MaskRows(toMask8(raw), spec.size, spec.size, photo.width, photo.height);
  ledger.take(base.bytes);
  const mask = new MaskBands(base, request.mask, ledger);
  mask.prepare(photo);
  return new Job(photo, mask, base, ledger, spec.id);
}

/** The effect over a source: JSON, or a picture whose bands come as they are read. */
export async function renderSource(photo: ImageSource, request: Request, codecs: Codecs, segmenter: Segmenter, ledger: Ledger): Promise<{ json: unknown } | { picture: Picture }> {
  const job = await segmentSource(photo, request, segmenter, ledger);
  const loadImage = async (url: string) => openFile(await readSource(url), codecs, ledger);
  const output = await request.effect.render(job, request.options, { loadImage, format: request.format });
  return "json" in output ? { json: output.json } : { picture: output.picture };
}

/** One image file to the API's answer: encoded bytes (PNG unless asked otherwise) or JSON. */
export async function renderFile(bytes: Uint8Array, request: Request, codecs: Codecs, segmenter: Segmenter): Promise<Rendered> {
  try {
    const ledger = new Ledger();
    const inspection = inspect(bytes, codecs);
    const size = shrunk(inspection.width, inspection.height, request.maxSide);
    const photo = resized(openPhoto(bytes, inspection, codecs, ledger), size.width, size.height);
    const output = await renderSource(photo, request, codecs, segmenter, ledger);
    if ("json" in output) return output;
    const format = chooseFormat(request.preference, output.picture);
    const chunks: Uint8Array[] = [];
    for await (const chunk of ENCODERS[format].encode(output.picture, codecs, ledger, { quality: request.quality })) chunks.push(chunk.slice());
    return { bytes: joined(chunks), format };
  } catch (error) {
    throw refusalAsApiError(error);
  }
}

/** The chunks in one buffer of its own (it may be transferred to another thread). */
function joined(chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) at += (bytes.set(chunk, at), chunk.length);
  return bytes;
}

/** A failure as the API would report it: a stable code and a message. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return { code: "not_found", message: "no such file" };
  if (code === "EISDIR" || code === "EACCES") return { code: "unreadable_file", message: (error as Error).message };
  return { code: "internal_error", message: error instanceof Error ? error.message : String(error) };
}
