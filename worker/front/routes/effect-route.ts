/**
 * One endpoint per effect: `GET /<effect>?url=…` and `POST /<effect>` (raw body or multipart
 * field `image`). Parameters are all checked before the image is fetched; then the shared
 * pipeline runs, the mask is post-processed, the effect composes, and the result is encoded.
 */
import type { Handler } from "hono";
import { limitsFrom } from "../config";
import type { Effect } from "../effects";
import { OUTPUT_FORMATS, chooseFormat, encodeImage } from "../image/encode";
import { QueryParams } from "../params";
import { admit } from "../pipeline/admission";
import { postprocess, readMaskOptions } from "../pipeline/postprocess";
import { readRouting } from "../pipeline/routing";
import { segment } from "../pipeline/segment";
import { loadImage } from "../source/load-image";
import { readImage } from "../source/read-image";

export function effectRoute<O>(effect: Effect<O>): Handler<{ Bindings: Env }> {
  return async (c) => {
    const limits = limitsFrom(c.env as unknown as Record<string, unknown>);
    const params = QueryParams.from(c.req.url);
    const format = params.oneOf("format", OUTPUT_FORMATS);
    const maxSide = params.number("max_side", { min: 16, max: limits.maxSide, integer: true });
    const maskOptions = readMaskOptions(params);
    const options = effect.parse(params);
    const routing = readRouting(params);

    return admit(
      limits.maxQueue,
      () => readImage(c, limits),
      async (bytes) => {
        const segmented = await segment(bytes, c.env, limits, { maxSide, routing });
        postprocess(segmented.mask, segmented.image, maskOptions);
        const output = await effect.render(segmented, options, { loadImage: (url) => loadImage(url, limits), format });
        const headers: Record<string, string> = { "x-model": segmented.model, "cache-control": "public, max-age=86400", vary: "accept", ...output.headers };
        if (segmented.fallback) Object.assign(headers, { "x-fallback": segmented.fallback, "cache-control": "no-store" });
        if ("json" in output) return Response.json(output.json, { headers });
        const chosen = chooseFormat(format, c.req.header("accept"), output.image);
        const { body, contentType } = await encodeImage(output.image, chosen);
        return new Response(new Blob(body), { headers: { ...headers, "content-type": contentType } });
      },
    );
  };
}
