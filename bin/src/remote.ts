/**
 * `--host`: the same request sent to a deployed service (the Workers fleet as the scale-out
 * engine). A URL goes as `GET /<effect>?url=` (the service fetches it), a file as the POST
 * body. 429, 503 and 504 are retried after the service's `Retry-After` (seconds), a few times,
 * and a connection reset at once (the answers are pure functions of the request).
 */
import type { OutputFormat } from "../../core/encode/index.ts";
import { readSource, type Rendered } from "./pipeline.ts";

const ATTEMPTS = 5;
/** Longest wait honoured from Retry-After, and the wait when it is absent. */
const MAX_WAIT_S = 60;
const DEFAULT_WAIT_S = 2;

/**
 * Answers worth asking again: 429 and 503 say when (Retry-After); 504 is the service's deadline
 * for fetching `url=`, which a busy service can miss while it works on other images.
 */
const RETRY_STATUS = new Set([429, 503, 504]);

/** Connection failures that a new connection may not meet. */
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "other side closed"]);

const FORMATS: Record<string, OutputFormat> = { "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp" };

/** A failure the service reported (or reaching it failed). */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request(host: string, effect: string, query: URLSearchParams, source: string | Uint8Array): Promise<Response> {
  if (typeof source === "string" && /^https?:\/\//i.test(source)) {
    const params = new URLSearchParams(query);
    params.set("url", source);
    return fetch(`${host}/${effect}?${params}`);
  }
  const body = typeof source === "string" ? await readSource(source) : source;
  return fetch(`${host}/${effect}?${query}`, { method: "POST", body: body as Uint8Array<ArrayBuffer> });
}

/** Seconds to wait before the next attempt: Retry-After as seconds or an HTTP date. */
function retryAfter(header: string | null): number {
  if (!header) return DEFAULT_WAIT_S;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Math.min(MAX_WAIT_S, Math.max(0, Number.isFinite(seconds) ? seconds : DEFAULT_WAIT_S));
}

export async function remoteAnswer(host: string, effect: string, query: URLSearchParams, source: string | Uint8Array): Promise<Rendered> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await request(host, effect, query, source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw error;
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      // A kept-alive connection the server has just closed resets a POST that fetch cannot
      // replay by itself (it happened to the e2e test): every request here is safe to send again.
      if (RESET.has(cause) && attempt < ATTEMPTS) continue;
      throw new RemoteError("unreachable", `cannot reach ${host}: ${cause}`);
    }
    if (response.ok) {
      const type = (response.headers.get("content-type") ?? "").split(";")[0].trim();
      if (type === "application/json") return { json: await response.json() };
      const format = FORMATS[type];
      if (!format) throw new RemoteError("bad_answer", `unexpected content-type ${type}`);
      return { bytes: new Uint8Array(await response.arrayBuffer()), format };
    }
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (RETRY_STATUS.has(response.status) && attempt < ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * retryAfter(response.headers.get("retry-after"))));
      continue;
    }
    throw new RemoteError(body.error?.code ?? `http_${response.status}`, `HTTP ${response.status} ${body.error?.code ?? ""}: ${body.error?.message ?? response.statusText}`.replace("  ", " "));
  }
}
