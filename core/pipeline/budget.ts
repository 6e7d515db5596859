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
import { PNG_ENCODER_BYTES } from "../encode/png";

/** The model's input and output tensors (3 and 1 planes of 320² floats) and its 8-bit mask. */
const MODEL_BYTES = 4 * 320 * 320 * 4 + 320 * 320;

export const FRONT_BUDGET_BYTES = 110_000_000;

/**
 * WebAssembly the front holds whatever it does: photon's instance (1.4 MB at start) and the
 * JPEG and PNG codecs' base memories with their row buffers at 12000 px, which read the file
 * from JS 64 KiB at a time (measured, README).
 */
export const FIXED_WASM_BYTES = 8_000_000;

/** What an effect will need beyond streaming rows, known from its parameters. */
export interface Needs {
  /** The whole mask, one byte a pixel (see `holdsWholeMask`). */
  wholeMask?: boolean;
  /** The final mask's rows read more than once (components). */
  rowsAgain?: boolean;
  /** The preview for blurs and shadows. */
  preview?: boolean;
}

export interface MemoryPlan {
  bytes: number;
  /** Each part, for messages and the README. */
  parts: Record<string, number>;
}

/** The most a request holds at once, by part; `output` is the size after `max_side=`. */
export function planMemory(inspection: Inspection, fileBytes: number, needs: Needs, output: { width: number; height: number } = inspection): MemoryPlan {
  const { width } = inspection;
  const pixels = output.width * output.height;
  const parts: Record<string, number> = {
    fixedWasm: FIXED_WASM_BYTES,
    // The file, in JS (the decoders read it from there a chunk at a time).
    file: fileBytes,
    decoder: inspection.decoderBytes,
    upright: inspection.uprightBytes,
    // The network's rows at full width, a few bands of RGBA and mask rows, the model's tensors
    // and the encoder's buffers.
    rows: 320 * width + 8 * BAND_ROWS * width * 5 + MODEL_BYTES + PNG_ENCODER_BYTES,
    wholeMask: needs.wholeMask ? pixels : 0,
    // The preview, its mask and its backdrop (RGBA), with a resizer's rows.
    preview: needs.preview ? Math.min(pixels, PREVIEW_PIXELS) * 10 : 0,
  };
  return { bytes: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

const MB = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** Why a plan is over the budget, in words a client can act on; null when it fits. */
export function overBudget(inspection: Inspection, plan: MemoryPlan): string | null {
  if (plan.bytes <= FRONT_BUDGET_BYTES) return null;
  const { parts } = plan;
  const what = [
    parts.decoder && inspection.progressive ? `progressive JPEG coefficients ${MB(parts.decoder)}` : "",
    parts.decoder && inspection.interlaced ? `interlaced PNG ${MB(parts.decoder)}` : "",
    parts.decoder && inspection.format === "webp" ? `WebP decoded whole ${MB(parts.decoder)}` : "",
    parts.upright ? `turning the EXIF-rotated photo upright ${MB(parts.upright)}` : "",
    parts.wholeMask ? `the whole mask ${MB(parts.wholeMask)}` : "",
    parts.file ? `the file ${MB(parts.file)}` : "",
  ].filter(Boolean);
  return (
    `${inspection.width}×${inspection.height} needs about ${MB(plan.bytes)} here (${what.join(", ")}), over the ${MB(FRONT_BUDGET_BYTES)} budget. ` +
    "Send a baseline (non-progressive) JPEG or a non-interlaced PNG stored upright, or a smaller image, or use max_side= on a smaller file"
  );
}
