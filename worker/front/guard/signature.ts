/**
 * Signed URLs: `sig=` is the HMAC-SHA256 (base64url) of the request's path and its other
 * query parameters in sorted order, under the operator's `SIGNING_KEY`. An optional `exp=`
 * (Unix seconds) is signed with the rest and ends the URL's life. Sorting makes the signature
 * independent of parameter order, as the cache key is.
 */
import { ApiError } from "../../../core/errors";

const encoder = new TextEncoder();

/** The signed text: `/remove?bg=fff&url=…`, parameters sorted by name then value, `sig` left out. */
export function signedText(url: URL): string {
  const params = [...url.searchParams].filter(([name]) => name !== "sig");
  params.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return `${url.pathname}?${new URLSearchParams(params)}`;
}

const hmacKey = (secret: string, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);

const toBase64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * Returns `url` with `sig=` (and `exp=` when `expiresAt` is given) added.
 * @example await signUrl("https://host/crop?url=https://example.com/cat.jpg&w=200&h=200", key)
 */
export async function signUrl(href: string, secret: string, expiresAt?: Date): Promise<string> {
  const url = new URL(href);
  url.searchParams.delete("sig");
  if (expiresAt) url.searchParams.set("exp", String(Math.floor(expiresAt.getTime() / 1000)));
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(signedText(url)));
  url.searchParams.set("sig", toBase64Url(mac));
  return url.href;
}

/** @throws ApiError invalid_signature when `sig=` is missing, wrong or expired. */
export async function verifySignature(href: string, secret: string, now = Date.now()): Promise<void> {
  const url = new URL(href);
  const sig = fromBase64Url(url.searchParams.get("sig") ?? "");
  if (!sig) throw new ApiError("invalid_signature");
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), sig, encoder.encode(signedText(url)));
  if (!valid) throw new ApiError("invalid_signature", "sig= does not match this URL");
  const exp = url.searchParams.get("exp");
  if (exp !== null && !(Number(exp) * 1000 > now)) throw new ApiError("invalid_signature", "This signed URL has expired");
}
