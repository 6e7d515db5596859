/**
 * Which format answers: `format=` when given, else the best the client's `Accept` lists
 * (AVIF, then WebP, then PNG; JPEG only when asked). Two steps: the preference is known before
 * the image is fetched (it goes in the cache key), the format once the picture's size is known
 * (a whole-picture encoder has a pixel cap).
 */
import type { Picture } from "../effects/effect";
import { ApiError } from "../errors";
import type { Encoder } from "./encoder";

/** Formats a client gets without asking, best first (PNG takes anything). */
const NEGOTIATED = ["avif", "webp"] as const;

export interface Preference<F extends string> {
  format: F;
  /** Asked for by `format=` (then never swapped for another). */
  explicit: boolean;
}

/** True when `accept` lists `mime` itself with q > 0 (`*` wildcards never imply AVIF or WebP). */
export function accepts(accept: string | undefined, mime: string): boolean {
  for (const range of (accept ?? "").toLowerCase().split(",")) {
    const [type, ...params] = range.split(";").map((s) => s.trim());
    if (type !== mime) continue;
    const q = params.find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

/** The format a request prefers before its picture exists (`auto` or absent: by `Accept`). */
export function preferredFormat<F extends string>(requested: F | "auto" | undefined, accept: string | undefined, encoders: Record<F, Encoder>): Preference<F | "png"> {
  if (requested && requested !== "auto") return { format: requested, explicit: true };
  for (const format of NEGOTIATED) {
    const encoder = (encoders as Record<string, Encoder>)[format];
    if (encoder && accepts(accept, encoder.mime)) return { format: format as F, explicit: false };
  }
  return { format: "png", explicit: false };
}

/**
 * The format that answers this picture. A negotiated whole-picture format over its cap, or when
 * the memory plan left no room for it (`streamOnly`), becomes PNG, which streams; an explicit
 * one is refused (413) rather than swapped. JPEG with transparency is a 400.
 */
export function formatFor<F extends string>(preference: Preference<F>, picture: Picture, encoders: Record<F, Encoder>, streamOnly = false): F | "png" {
  const { format, explicit } = preference;
  const encoder = encoders[format];
  if (encoder.opaqueOnly && !picture.opaque) {
    throw new ApiError("invalid_parameter", `format=${format} needs an opaque result: it has no transparency (use png, webp or avif, or set bg=)`);
  }
  const cap = encoder.maxPixels;
  const over = cap !== undefined && picture.width * picture.height > cap;
  if (!over && !(streamOnly && cap !== undefined)) return format;
  if (!explicit) return "png";
  throw new ApiError(
    "image_too_large",
    over
      ? `${format} output is limited to ${cap} pixels at the edge (its encoder needs the whole picture); use max_side= or format=png`
      : `${format} output does not fit in memory beside this photo; use max_side= or format=png`,
  );
}
