/**
 * CORS for the API, so a page on another origin can `fetch()` an answer (or its JSON error)
 * and draw an `<img crossorigin>` on a canvas. `*` by default; with `ALLOWED_ORIGINS` set, only
 * a listed Origin is echoed back, with `Vary: Origin` so no cache hands one site's answer to
 * another. The headers are added to every answer on the way out (hits, misses, 304s and
 * errors alike), never stored with a cached answer, so an echoed origin is always this
 * request's. `ALLOWED_REFERERS` is a separate, server-side check (guard/referer.ts).
 */
import type { MiddlewareHandler } from "hono";
import { hostMatches } from "./config";
import { replaceResponse, setHeaders } from "./headers";

/** Headers a page's script may read beyond the CORS-safelisted ones. */
const EXPOSED = ["X-Model", "X-Backend", "X-Crop-Box", "X-Fallback", "X-Cache", "Server-Timing", "X-Width", "X-Height", "Content-Disposition", "Retry-After"];
const PREFLIGHT_MAX_AGE_S = 86_400;

/** `ALLOWED_ORIGINS`: origins (`https://app.example.com`) or host patterns (`*.example.com`); empty = any. */
export function originList(value: unknown): string[] | null {
  const entries = (typeof value === "string" ? value : "").split(",").map((e) => e.trim().toLowerCase().replace(/\/+$/, "")).filter(Boolean);
  return entries.length ? entries : null;
}

/** True when `origin` (as a browser sends it) is on the list: a whole origin, or its host by pattern. */
export function originAllowed(origin: string, allowed: string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return allowed.some((entry) => (entry.includes("://") ? entry === url.origin : hostMatches(url.hostname, entry)));
}

/** The Allow-Origin value for this request: `*`, the echoed origin, or none. */
function allowOrigin(origin: string | undefined, allowed: string[] | null): string | null {
  if (!allowed) return "*";
  return origin && originAllowed(origin, allowed) ? origin : null;
}

/** Appends tokens to a Vary value without repeating one (case-insensitive). */
export function mergeVary(current: string | null, ...tokens: string[]): string {
  const list = (current ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  for (const token of tokens) if (!list.some((t) => t.toLowerCase() === token.toLowerCase())) list.push(token);
  return list.join(", ");
}

/**
 * Answers preflights on `paths` (204) and adds the CORS headers to every other answer.
 * @param paths the API's paths; OPTIONS elsewhere falls through to 404
 */
export function cors(paths: ReadonlySet<string>): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const allowed = originList((c.env as unknown as Record<string, unknown>).ALLOWED_ORIGINS);
    const origin = allowOrigin(c.req.header("origin"), allowed);
    const headers: Record<string, string | null> = {
      "access-control-allow-origin": origin,
      // Lets the page read Server-Timing through the Resource Timing API too.
      "timing-allow-origin": origin,
    };
    if (c.req.method === "OPTIONS" && paths.has(c.req.path)) {
      const preflight = new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "content-type, x-api-key",
          "access-control-max-age": String(PREFLIGHT_MAX_AGE_S),
          ...(allowed ? { vary: "Origin" } : {}),
        },
      });
      setHeaders(preflight, headers);
      return preflight;
    }
    await next();
    const answer = setHeaders(c.res, {
      ...headers,
      "access-control-expose-headers": EXPOSED.join(", "),
      ...(allowed ? { vary: mergeVary(c.res.headers.get("vary"), "Origin") } : {}),
    });
    replaceResponse(c, answer);
  };
}
