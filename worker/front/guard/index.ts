/**
 * What every API request passes before any work: the API key, the rate limit, the signature,
 * the embedding allow-list. All are off unless configured (wrangler.toml, secrets).
 *
 * A valid `X-Api-Key` is the operator's own permission, as a valid signature is: it stands in
 * for `sig=` and for the referer check, and is rate-limited per key instead of per address.
 * A wrong key is counted against the address, then refused (401).
 */
import type { MiddlewareHandler } from "hono";
import { policyFrom } from "../config";
import { replaceResponse, setHeaders } from "../headers";
import { apiKeysFrom, checkApiKey } from "./api-key";
import { checkRate } from "./rate-limit";
import { checkReferer } from "./referer";
import { verifySignature } from "./signature";

/** Requests the worker makes to itself (POST /v1.0/removebg → /remove): already guarded. */
const internal = new WeakSet<Request>();

/** Marks a request built by the worker for its own app, so the guard lets it through once. */
export function internalRequest(request: Request): Request {
  internal.add(request);
  return request;
}

export const guard: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (internal.has(c.req.raw)) return next();
  const env = c.env as unknown as Record<string, unknown>;
  const policy = policyFrom(env);
  const keyed = await checkApiKey(c.req.raw, apiKeysFrom(env.API_KEYS)).then(
    (id) => ({ id }),
    (error: unknown) => ({ id: null, error }),
  );
  await checkRate(c.req.raw, c.env.RATE_LIMITER, keyed.id ? `key:${keyed.id}` : undefined);
  if ("error" in keyed) throw keyed.error;
  // A valid signature (or key) is the operator's own permission: it stands in for the referer check.
  if (!keyed.id && policy.signingKey) await verifySignature(c.req.url, policy.signingKey);
  else if (!keyed.id && policy.allowedReferers) checkReferer(c.req.raw, policy.allowedReferers);
  await next();
  const exp = !keyed.id && policy.signingKey ? Number(c.req.query("exp")) : NaN;
  if (Number.isFinite(exp)) replaceResponse(c, immutableUntil(c.res, exp));
};

/**
 * A signed URL with `exp=` names one answer that can never change before it expires: caches
 * may keep it (up to CACHE_TTL, never past `exp`) without revalidating.
 */
function immutableUntil(response: Response, exp: number): Response {
  const cacheControl = response.headers.get("cache-control") ?? "";
  const maxAge = /^public, max-age=(\d+)/.exec(cacheControl);
  if (response.status !== 200 || !maxAge) return response;
  const left = Math.floor(exp - Date.now() / 1000);
  return setHeaders(response, { "cache-control": `public, max-age=${Math.max(0, Math.min(Number(maxAge[1]), left))}, immutable` });
}
