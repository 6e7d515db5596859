/**
 * Per-client rate limit on the API, with the Workers rate-limiting binding (`[[ratelimits]]`
 * in wrangler.toml: a limit per 10 or 60 s, counted per Cloudflare location). The client is
 * its address as Cloudflare saw it, or its API key when it sent a valid one. Without the
 * binding there is no limit.
 */
import { ApiError } from "../../../core/errors";

export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * @param client who is counted: the address when not given
 * @throws ApiError rate_limited (429) when the client is over its limit.
 */
export async function checkRate(request: Request, limiter: RateLimiter | undefined, client?: string): Promise<void> {
  if (!limiter) return;
  client ??= request.headers.get("cf-connecting-ip") ?? "unknown";
  const { success } = await limiter.limit({ key: client });
  if (!success) throw new ApiError("rate_limited");
}
