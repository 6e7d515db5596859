/**
 * The memory one request may make the front worker hold, computed from the headers before any
 * decoding, so a photo that would not fit is refused (413) instead of killing the isolate.
 *
 * Workers give an isolate 128 MB for JS and WASM together; the front keeps 110 MB for the
 * pipeline and the rest for the runtime. A baseline JPEG or plain PNG streams in memory that
 * grows with its width only; what grows with its area is listed here.
 */
import { BAND_ROWS } from "./mask-bands";
import type { Inspection } from "./open";
import { PREVIEW_PIXELS } from "./preview";

/** The model's input and output tensors (3 and 1 planes of 320² floats) and its 8-bit mask. */
const MODEL_BYTES = 4 * 320 * 320 * 4 + 320 * 320;

/** Encoded bytes handed out per band, copied out of the codec (a band of an incompressible picture). */
const ENCODER_OUTPUT_BYTES = 1_000_000;

export const FRONT_BUDGET_BYTES = 110_000_000;

/**
 * Each codec's WebAssembly memory with nothing large in it: its base and row buffers at
 * 12000 px (the decoders read the file from JS 64 KiB at a time; measured, docs/streaming.md).
 */
const BASE_WASM = { jpeg: 3_000_000, png: 2_000_000, photon: 2_000_000, avif: 0, webp: 0 };

/** What the codecs' WebAssembly memories hold now: they never shrink, so a plan starts from them. */
export type WasmNow = Record<keyof typeof BASE_WASM, number>;

/** What an effect will need beyond streaming rows, known from its parameters. */
export interface Needs {
  /** The whole mask, one byte a pixel (see `holdsWholeMask`). */
  wholeMask?: boolean;
  /** The final mask's rows read more than once (components). */
  rowsAgain?: boolean;
  /** The preview for blurs and shadows. */
  preview?: boolean;
  /**
   * The whole-picture encoder the answer may use (AVIF or WebP, at most its pixel cap): the
   * WebAssembly memory it grows to and the JS it holds (core/encode `wholeEncode`).
   */
  wholeEncode?: { format: "avif" | "webp"; wasmBytes: number; jsBytes: number };
}

export interface MemoryPlan {
  bytes: number;
  /** Each part, for messages and the README. */
  parts: Record<string, number>;
  /** WebAssembly memory earlier requests left beyond what this one needs (it never shrinks). */
  inherited: number;
}

/**
 * The most the front holds while a request runs, by part: each codec's WebAssembly memory
 * (what it holds now, or what this request grows it to), and the request's JS buffers.
 * `output` is the size after `max_side=`.
 */
export function planMemory(
  inspection: Inspection,
  fileBytes: number,
  needs: Needs,
  output: { width: number; height: number } = inspection,
  now: WasmNow = { jpeg: 0, png: 0, photon: 0, avif: 0, webp: 0 },
): MemoryPlan {
  const { width, format, decoderBytes } = inspection;
  const pixels = output.width * output.height;
  const webpDecode = format === "webp" ? decoderBytes : 0;
  const encode = needs.wholeEncode;
  const need: WasmNow = {
    jpeg: BASE_WASM.jpeg + (format === "jpeg" ? decoderBytes : 0),
    png: BASE_WASM.png + (format === "png" ? decoderBytes : 0),
    photon: BASE_WASM.photon + webpDecode,
    avif: encode?.format === "avif" ? encode.wasmBytes : 0,
    webp: encode?.format === "webp" ? encode.wasmBytes : 0,
  };
  const codecs = Object.keys(need) as (keyof WasmNow)[];
  const parts: Record<string, number> = {
    jpegWasm: Math.max(now.jpeg, need.jpeg),
    pngWasm: Math.max(now.png, need.png),
    photonWasm: Math.max(now.photon, need.photon),
    avifWasm: Math.max(now.avif, need.avif),
    webpWasm: Math.max(now.webp, need.webp),
    // The file, in JS (the decoders read it from there a chunk at a time).
    file: fileBytes,
    upright: inspection.uprightBytes,
    // A WebP is decoded whole by photon and copied out as RGBA.
    webpPixels: format === "webp" ? inspection.storedWidth * inspection.storedHeight * 4 : 0,
    // The network's rows at full width, a few bands of RGBA and mask rows, the model's tensors
    // and an encoder's output in flight (its state is in the codecs' memory).
    rows: 320 * width + 8 * BAND_ROWS * width * 5 + MODEL_BYTES + ENCODER_OUTPUT_BYTES,
    wholeMask: needs.wholeMask ? pixels : 0,
    // A whole-picture encoder's RGBA copy of the answer and the bytes it hands back.
    wholeEncode: encode?.jsBytes ?? 0,
    // The preview, its mask and its backdrop (RGBA), with a resizer's rows.
    preview: needs.preview ? Math.min(pixels, PREVIEW_PIXELS) * 10 : 0,
  };
  const inherited = codecs.reduce((sum, c) => sum + Math.max(0, now[c] - need[c]), 0);
  return { bytes: Object.values(parts).reduce((a, b) => a + b, 0), parts, inherited };
}

const MB = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** Why a plan is over the budget, in words a client can act on; null when it fits. */
export function overBudget(inspection: Inspection, plan: MemoryPlan): string | null {
  if (plan.bytes <= FRONT_BUDGET_BYTES) return null;
  const { parts } = plan;
  const what = [
    inspection.progressive ? `progressive JPEG coefficients ${MB(inspection.decoderBytes)}` : "",
    inspection.interlaced ? `interlaced PNG ${MB(inspection.decoderBytes)}` : "",
    inspection.format === "webp" ? `WebP decoded whole ${MB(parts.photonWasm)}` : "",
    parts.upright ? `turning the EXIF-rotated photo upright ${MB(parts.upright)}` : "",
    parts.wholeMask ? `the whole mask ${MB(parts.wholeMask)}` : "",
    parts.wholeEncode ? `an AVIF/WebP answer encoded whole ${MB(parts.wholeEncode + parts.avifWasm + parts.webpWasm)}` : "",
    parts.file ? `the file ${MB(parts.file)}` : "",
    plan.inherited ? `codecs' memory held from earlier requests ${MB(plan.inherited)}` : "",
  ].filter(Boolean);
  return (
    `${inspection.width}×${inspection.height} needs about ${MB(plan.bytes)} here (${what.join(", ")}), over the ${MB(FRONT_BUDGET_BYTES)} budget. ` +
    "Send a baseline (non-progressive) JPEG or a non-interlaced PNG stored upright, or a smaller image, or use max_side= on a smaller file"
  );
}
