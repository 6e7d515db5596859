/**
 * API keys for server-to-server use: `X-Api-Key: <key>` checked against the operator's list
 * (`API_KEYS`, a secret, comma separated). A valid key stands in for a signed URL and for the
 * embedding check (a server sends no Referer), and its requests are rate-limited per key
 * rather than per address. Without `API_KEYS` the header is ignored, so clients that always
 * send one (remove.bg's) keep working against an open deployment.
 */
import { ApiError } from "../../../core/errors";

const encoder = new TextEncoder();

/** The configured keys; null = keys are off. */
export function apiKeysFrom(value: unknown): string[] | null {
  const keys = (typeof value === "string" ? value : "").split(",").map((k) => k.trim()).filter(Boolean);
  return keys.length ? keys : null;
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/** Compares fixed-length digests without an early exit, so timing says nothing about the key. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * The key's identity for rate limiting (a digest prefix, never the key itself), or null when
 * the request carries no key or keys are off.
 * @throws ApiError invalid_api_key when a key is sent and is not on the list
 */
export async function checkApiKey(request: Request, keys: string[] | null): Promise<string | null> {
  const sent = request.headers.get("x-api-key");
  if (!keys || sent === null) return null;
  const mine = await digest(sent.trim());
  let found = false;
  // Every key is compared, whichever matches, so the time does not depend on the list's order.
  for (const key of keys) found = sameDigest(mine, await digest(key)) || found;
  if (!found) throw new ApiError("invalid_api_key");
  return [...mine.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
