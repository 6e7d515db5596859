/**
 * One endpoint per effect: `GET /<effect>?url=…` and `POST /<effect>` (raw body or multipart
 * field `image`) answer a PNG.
 */
import type { Handler } from "hono";
import { limitsFrom } from "../config";
import type { Effect } from "../effects";
import { encodePng } from "../image/png";
import { admit } from "../pipeline/admission";
import { segment } from "../pipeline/segment";
import { readImage } from "../source/read-image";

export function effectRoute(effect: Effect): Handler<{ Bindings: Env }> {
  return async (c) => {
    const limits = limitsFrom(c.env as unknown as Record<string, unknown>);
    const { png, model } = await admit(
      limits.maxQueue,
      () => readImage(c, limits),
      async (bytes) => {
        const segmented = await segment(bytes, c.env.SEGMENTER, limits);
        const out = effect.render(segmented);
        return { png: await encodePng(out.pixels, out.width, out.height, out.channels), model: segmented.model };
      },
    );
    return new Response(new Blob(png), {
      headers: { "content-type": "image/png", "x-model": model, "cache-control": "public, max-age=86400" },
    });
  };
}
