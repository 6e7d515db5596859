import type { RgbaImage } from "../image/decode";
import type { Rendered } from "../image/encode";
import type { QueryParams } from "../params";
import type { Segmented } from "../pipeline/segment";

/** What an effect answers: an image (encoded by the route) or a JSON document, and headers. */
export type EffectOutput = ({ image: Rendered } | { json: unknown }) & { headers?: Record<string, string> };

export interface EffectContext {
  /** Fetches and decodes another image (e.g. `bg_url=`) within the worker's limits. */
  loadImage(url: string): Promise<RgbaImage>;
  /** The output format asked for, if any (an effect may answer JSON without one). */
  format?: string;
}

/**
 * What the product does with a salient mask. Each effect is one file here and one entry in
 * `EFFECTS`; its name is its endpoint (`/mask`, `/remove`, …). `parse` reads and checks the
 * effect's own parameters before any image is fetched; `render` composes the answer.
 */
export interface Effect<Options = unknown> {
  name: string;
  summary: string;
  parse(params: QueryParams): Options;
  render(segmented: Segmented, options: Options, context: EffectContext): EffectOutput | Promise<EffectOutput>;
}

/** True when every pixel's alpha is 255. */
export function isOpaque(image: { pixels: Uint8Array }): boolean {
  const { pixels } = image;
  for (let a = 3; a < pixels.length; a += 4) if (pixels[a] !== 255) return false;
  return true;
}

/** Sets the photo's alpha to the mask, keeping any transparency it had (the alphas multiply). */
export function applyMaskAsAlpha(image: RgbaImage, mask: Uint8Array): void {
  const { pixels } = image;
  for (let i = 0, a = 3; i < mask.length; i++, a += 4) {
    const source = pixels[a];
    pixels[a] = source === 255 ? mask[i] : Math.round((mask[i] * source) / 255);
  }
}

export const rgbaResult = (image: RgbaImage): EffectOutput => ({
  image: { pixels: image.pixels, width: image.width, height: image.height, channels: 4, opaque: isOpaque(image) },
});
