/**
 * Source files kept in the Cache API, so one photo asked for with several effects or
 * parameters is downloaded once. The key is the vetted URL; sources that say `no-store` or
 * `private` are not kept.
 */
import type { Limits } from "../config";
import { fetchSource, vetUrl } from "./fetch-source";

const NOT_SHAREABLE = /\b(no-store|private)\b/i;

/**
 * Fetches url= (vetted, capped, timed) or returns the kept copy.
 * @param ttl seconds to keep the file; 0 = fetch every time
 */
export async function loadSource(raw: string, limits: Limits, ttl: number): Promise<Uint8Array> {
  const url = vetUrl(raw, limits.sourceHosts);
  if (ttl <= 0) return (await fetchSource(url, limits)).bytes;
  const cache = await caches.open("sources");
  const key = new Request(url.href);
  const kept = await cache.match(key);
  if (kept) return new Uint8Array(await kept.arrayBuffer());
  const { bytes, cacheControl } = await fetchSource(url, limits);
  if (!NOT_SHAREABLE.test(cacheControl ?? "")) {
    await cache.put(key, new Response(bytes, { headers: { "cache-control": `max-age=${ttl}` } }));
  }
  return bytes;
}
