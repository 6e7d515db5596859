/**
 * Output formats: one file each, one row each in `ENCODERS`. PNG and JPEG stream (rows in band
 * by band, bytes out as they are ready); AVIF and WebP (jSquash's builds) need the whole
 * picture and WebAssembly memory that grows with it, so they have a pixel cap. Adding a format
 * is its file and its row here (docs/formats.md).
 */
import type { Picture } from "../effects/effect";
import { avif } from "./avif";
import { LOSSLESS_QUALITY, type Encoder } from "./encoder";
import { jpeg } from "./jpeg";
import { formatFor, preferredFormat, type Preference } from "./negotiate";
import { png } from "./png";
import { webp } from "./webp";

export type { EncodeSettings, Encoder } from "./encoder";
export { readQuality } from "./quality";
export { accepts } from "./negotiate";

export const ENCODERS = { png, jpeg, webp, avif } satisfies Record<string, Encoder>;

export type OutputFormat = keyof typeof ENCODERS;
export const OUTPUT_FORMATS = Object.keys(ENCODERS) as OutputFormat[];
/** What `format=` takes: a format, or `auto` (by `Accept`, as when absent). */
export const FORMAT_CHOICES = ["auto", ...OUTPUT_FORMATS] as const;
export type FormatChoice = OutputFormat | "auto";

/** The formats that take the whole picture (and their WebAssembly memory in the plan). */
export type WholeFormat = "avif" | "webp";

/** The format a request prefers before its picture exists: goes in the cache key. */
export const preferFormat = (requested: FormatChoice | undefined, accept: string | undefined): Preference<OutputFormat> =>
  preferredFormat(requested, accept, ENCODERS);

/** The format that answers `picture` (see `formatFor`). */
export const chooseFormat = (preference: Preference<OutputFormat>, picture: Picture, streamOnly = false): OutputFormat =>
  formatFor(preference, picture, ENCODERS, streamOnly);

/**
 * The whole-picture encoder a preference may use, and the pixels it would take (at most its cap),
 * for the memory plan; undefined when the answer streams.
 */
export function wholeEncode(
  preference: Preference<OutputFormat>,
  pixels: number,
  quality?: number,
): { format: WholeFormat; wasmBytes: number; jsBytes: number } | undefined {
  const encoder: Encoder = ENCODERS[preference.format];
  if (!encoder.memory || !encoder.maxPixels) return undefined;
  const n = Math.min(pixels, encoder.maxPixels);
  const { wasmBase, perPixel, losslessPerPixel, jsPerPixel } = encoder.memory;
  const wasmPerPixel = quality === LOSSLESS_QUALITY ? losslessPerPixel : perPixel;
  return { format: preference.format as WholeFormat, wasmBytes: wasmBase + wasmPerPixel * n, jsBytes: jsPerPixel * n };
}
