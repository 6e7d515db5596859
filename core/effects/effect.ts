/**
 * What the product does with a salient mask. Each effect is one file here and one entry in
 * `EFFECTS`; its name is its endpoint (`/mask`, `/remove`, …) and its CLI command. `parse`
 * reads and checks the effect's own parameters before any image is fetched; `render` plans
 * the answer and hands back either JSON or a picture whose rows are made band by band as the
 * encoder asks for them, so no answer is ever held whole.
 */
import type { QueryParams } from "../params";
import type { Job } from "../pipeline/job";
import type { Needs } from "../pipeline/budget";
import type { ImageSource } from "../pipeline/sources";

/** An answer picture: its rows come as successive bands, top to bottom. */
export interface Picture {
  width: number;
  height: number;
  /** 1: 8-bit grey; 4: RGBA. */
  channels: 1 | 4;
  /** True when every alpha is 255: JPEG can carry it. Known before any row is made. */
  opaque: boolean;
  /** Bands of packed rows; each band is valid until the next is asked for. */
  bands(): Iterable<Uint8Array>;
}

/** What an effect answers: a picture (encoded by the caller) or a JSON document, and headers. */
export type EffectOutput = ({ picture: Picture } | { json: unknown }) & { headers?: Record<string, string> };

export interface EffectContext {
  /** Opens another image (e.g. `bg_url=`) as a source, within the limits. */
  loadImage(url: string): Promise<ImageSource>;
  /** The output format asked for, if any (an effect may answer JSON without one). */
  format?: string;
}

/** Checks `parse` may need before anything is fetched. */
export interface ParseContext {
  /** Checks a URL parameter (e.g. `bg_url=`) against the fetch policy; returns it normalised. */
  vetUrl(raw: string): string;
}

export interface Effect<Options = unknown> {
  name: string;
  summary: string;
  parse(params: QueryParams, context: ParseContext): Options;
  /** What rendering will hold beyond streaming rows (the memory plan is checked before decoding). */
  needs?(options: Options): Needs;
  render(job: Job, options: Options, context: EffectContext): EffectOutput | Promise<EffectOutput>;
}

/**
 * Sets alpha to the mask, keeping any transparency the photo had (the alphas multiply). Fully
 * transparent pixels get colour 0: it is never seen, and long runs of zeros make a cutout's
 * PNG several times faster to compress and smaller.
 */
export function maskToAlpha(pixels: Uint8Array, mask: Uint8Array, count = mask.length): void {
  for (let i = 0, a = 3; i < count; i++, a += 4) {
    const source = pixels[a];
    const alpha = source === 255 ? mask[i] : Math.round((mask[i] * source) / 255);
    pixels[a] = alpha;
    if (alpha === 0) pixels[a - 3] = pixels[a - 2] = pixels[a - 1] = 0;
  }
}
