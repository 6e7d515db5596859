/**
 * What every API request passes before any work: the rate limit, the signature, the embedding
 * allow-list. All three are off unless configured (wrangler.toml, secrets).
 */
import type { MiddlewareHandler } from "hono";
import { policyFrom } from "../config";
import { checkRate } from "./rate-limit";
import { checkReferer } from "./referer";
import { verifySignature } from "./signature";

export const guard: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const policy = policyFrom(c.env as unknown as Record<string, unknown>);
  await checkRate(c.req.raw, c.env.RATE_LIMITER);
  // A valid signature is the operator's own permission: it stands in for the referer check.
  if (policy.signingKey) await verifySignature(c.req.url, policy.signingKey);
  else if (policy.allowedReferers) checkReferer(c.req.raw, policy.allowedReferers);
  await next();
};
