/**
 * One endpoint per effect: `GET /<effect>?url=…` and `POST /<effect>` (raw body or multipart
 * field `image`). Parameters are all checked before the image is fetched; a GET whose answer
 * is cached (or whose ETag the client holds) stops there. Otherwise the shared pipeline runs
 * and the effect's picture is encoded as it streams out: the answer's first bytes leave before
 * its last rows are decoded, and the cache gets a copy of the same stream.
 */
import type { Context, Handler } from "hono";
import { MODELS } from "../../../core/models";
import type { Effect } from "../../../core/effects";
import type { Picture } from "../../../core/effects/effect";
import { ENCODERS, FORMAT_CHOICES, chooseFormat, preferFormat, readQuality, type FormatChoice } from "../../../core/encode";
import { Ledger } from "../../../core/pipeline/ledger";
import { readMaskOptions } from "../../../core/pipeline/mask-bands";
import { QueryParams } from "../../../core/params";
import { backendConfigFrom } from "../backends/config";
import { findResult, matchesEtag, resultKey, storeResult, type ResultKey } from "../cache/result-cache";
import { asApiError, codecMemoryBytes, codecs } from "../codecs";
import { limitsFrom, policyFrom } from "../config";
import { admit } from "../pipeline/admission";
import { readRouting } from "../pipeline/routing";
import { segment } from "../pipeline/segment";
import { vetUrl } from "../source/fetch-source";
import { loadImage } from "../source/load-image";
import { readImage } from "../source/read-image";
import { noteLedger } from "./memory-stats";
import { Stopwatch, noteTimings } from "../timing";
import { contentDisposition, sourceName } from "./content-disposition";
import { setHeaders } from "../headers";

type Ctx = Context<{ Bindings: Env }>;

/** Headers every answer to a request shares, hit or miss. */
const CACHE_HEADERS = (ttl: number, etag?: string): Record<string, string> => ({
  "cache-control": ttl > 0 ? `public, max-age=${ttl}` : "no-store",
  vary: "accept",
  ...(etag ? { etag } : {}),
});

/** Which GPU model answers, if one is configured: a different server or model is a different answer. */
function gpuIdentity(env: Record<string, unknown>): string | null {
  const gpu = backendConfigFrom(env);
  return gpu ? `${gpu.spec.id}@${gpu.url}/${gpu.datatype}` : null;
}

/** Only `GET ?url=` answers are cached: a POSTed file has no name to key it by. */
async function keyFor(c: Ctx, effect: string, decided: Record<string, unknown>, ttl: number): Promise<ResultKey | undefined> {
  const source = c.req.query("url");
  if (c.req.method !== "GET" || ttl <= 0 || !source) return undefined;
  return resultKey({
    effect,
    ...decided,
    source,
    // The format Accept chose (AVIF, WebP or PNG): one entry per format a client may get.
    negotiated: preferFormat(decided.format as FormatChoice | undefined, c.req.header("accept")).format,
    models: Object.values(MODELS).map((m) => `${m.id}@${m.version}`),
    gpu: gpuIdentity(c.env as unknown as Record<string, unknown>),
  });
}

/**
 * A body nobody reads holds the pipeline (and its memory) for nothing: after this long without
 * a read, the answer is abandoned and the next photo goes in.
 */
const STREAM_IDLE_MS = 15_000;

/**
 * The picture's encoded bytes as a body; `done` settles when the last byte is out (or it fails).
 * The stopwatch counts the time spent making rows (compose) and encoding them.
 */
function streamBody(picture: Picture, encode: (p: Picture) => AsyncIterable<Uint8Array>, ledger: Ledger, timing: Stopwatch) {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const timed: Picture = Object.assign(Object.create(picture) as Picture, { bands: () => timing.timedBands(picture.bands()) });
  const chunks = timing.timedChunks(encode(timed))[Symbol.asyncIterator]();
  let idle: unknown;
  const quiet = () => clearTimeout(idle as number);
  /** Abandons the answer if the next read does not come in time. */
  const wait = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    idle = setTimeout(() => {
      controller.error(new Error("nobody read the answer"));
      finish();
    }, STREAM_IDLE_MS);
  };
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    quiet();
    noteLedger(ledger);
    chunks.return?.(undefined).catch(() => undefined);
    settle();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: wait,
      async pull(controller) {
        quiet();
        try {
          const { value, done: end } = await chunks.next();
          if (end) {
            controller.close();
            finish();
            return;
          }
          controller.enqueue(value);
          wait(controller);
        } catch (error) {
          console.error("answer failed while streaming", error);
          controller.error(error);
          finish();
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  );
  return { body, done };
}

export function effectRoute<O>(effect: Effect<O>): Handler<{ Bindings: Env }> {
  return async (c) => {
    const timing = new Stopwatch();
    const env = c.env as unknown as Record<string, unknown>;
    const limits = limitsFrom(env);
    const policy = policyFrom(env);
    const params = QueryParams.from(c.req.url);
    const format = params.oneOf("format", FORMAT_CHOICES);
    const quality = readQuality(params).level;
    const maxSide = params.number("max_side", { min: 16, max: limits.maxSide, integer: true });
    const maskOptions = readMaskOptions(params);
    const options = effect.parse(params, { vetUrl: (raw) => vetUrl(raw, null).href });
    const routing = readRouting(params);

    const key = await keyFor(c, effect.name, { options, maskOptions, format, quality, maxSide, routing }, policy.cacheTtl);
    if (key && matchesEtag(c.req.header("if-none-match"), key.etag)) {
      return new Response(null, { status: 304, headers: CACHE_HEADERS(policy.cacheTtl, key.etag) });
    }
    const kept = key && (await findResult(key));
    if (key) timing.lap("cache");
    if (kept) return setHeaders(kept, { "server-timing": timing.header({ cache: "hit" }), "x-cache": "hit", vary: "accept" });

    const upload: { name?: string } = {};
    const response = await admit(
      limits.maxQueue,
      () => readImage(c, limits, policy.sourceCacheTtl, upload).finally(() => timing.lap("fetch")),
      async (bytes) => {
        timing.lap("queue");
        const ledger = new Ledger();
        ledger.take(bytes.length);
        const needs = effect.needs?.(options) ?? {};
        const preference = preferFormat(format, c.req.header("accept"));
        const wasmNow = await codecMemoryBytes();
        const segmented = await segment(bytes, c.env, limits, codecs, ledger, { maxSide, routing, mask: maskOptions, needs, format: preference, quality, wasmNow, laps: timing });
        const context = { loadImage: (url: string) => loadImage(url, limits, policy.sourceCacheTtl, codecs, ledger, segmented.spare), format };
        const output = await Promise.resolve(effect.render(segmented.job, options, context)).catch((error) => {
          throw asApiError(error);
        });
        const headers: Record<string, string> = { "x-model": segmented.model, "x-backend": segmented.backend, ...CACHE_HEADERS(policy.cacheTtl, key?.etag), ...output.headers };
        timing.lap("mask");
        if ("picture" in output) Object.assign(headers, { "x-width": String(output.picture.width), "x-height": String(output.picture.height) });
        headers["server-timing"] = timing.header();
        // A fallback answer is not the one asked for: never keep it.
        if (segmented.fallback) {
          Object.assign(headers, { "x-fallback": segmented.fallback, "cache-control": "no-store" });
          delete headers.etag; // the ETag names the answer asked for, which this is not
        }
        if ("json" in output) {
          noteLedger(ledger);
          return { value: Response.json(output.json, { headers }), done: Promise.resolve() };
        }
        const encoder = ENCODERS[chooseFormat(preference, output.picture, segmented.streamOnly)];
        const { body, done } = streamBody(output.picture, (p) => encoder.encode(p, codecs, ledger, { quality }), ledger, timing);
        const disposition = contentDisposition(sourceName(c.req.query("url") ?? upload.name), effect.name, encoder.mime);
        if (disposition) headers["content-disposition"] = disposition;
        return { value: new Response(body, { headers: { ...headers, "content-type": encoder.mime } }), done: done.then(() => noteTimings(effect.name, timing)) };
      },
    );
    if (!key || response.headers.get("cache-control") === "no-store") return response;
    // Stored without Vary: the key already holds the only Accept distinction that matters.
    const [toClient, toCache] = response.body!.tee();
    const stored = storeResult(key, setHeaders(new Response(toCache, response), { vary: null, "server-timing": null }));
    c.executionCtx.waitUntil(stored.catch((error) => console.warn("result not cached", error)));
    return setHeaders(new Response(toClient, response), { "x-cache": "miss", vary: "accept" });
  };
}
