/**
 * Finished answers kept in the Workers Cache API. A request's key is a digest of everything
 * that decides its answer, in parsed form: the endpoint, every option as the effect read it
 * (so `refine=1` and `refine=true`, or any parameter order, share one entry, and unknown
 * parameters cannot split the cache), the source URL, whether WebP is acceptable, and the
 * version of every model. A model change therefore changes every key. The ETag is derived from
 * the key, so `If-None-Match` is answered with 304 before any fetch or inference.
 */

export interface ResultKey {
  request: Request;
  etag: string;
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * @param parts everything that decides the answer (JSON-serialisable)
 * @example await resultKey({ endpoint: "remove", options, source: "https://example.com/cat.jpg", models })
 */
export async function resultKey(parts: unknown): Promise<ResultKey> {
  const digest = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts))));
  return { request: new Request(`https://results.edge-u2net.internal/${digest}`), etag: `"${digest.slice(0, 32)}"` };
}

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags, one of which is ours. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

export async function findResult(key: ResultKey): Promise<Response | undefined> {
  return caches.default.match(key.request);
}

/** Keeps a copy of `response` (already carrying its Cache-Control and ETag). */
export async function storeResult(key: ResultKey, response: Response): Promise<void> {
  await caches.default.put(key.request, response.clone());
}
