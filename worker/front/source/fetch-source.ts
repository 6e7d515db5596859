/**
 * Fetches the image behind url=. This is a public proxy's attack surface: only http(s), no
 * credentials in the URL, no forbidden hosts (host-policy.ts), redirects followed by hand so
 * every hop is checked again, one deadline for the whole chain, and a byte cap enforced while
 * the body streams in. The file's type is decided later from its bytes, not Content-Type.
 * Operators may narrow the public hosts further with an allow-list (`SOURCE_HOSTS`).
 */
import { ApiError } from "../../../core/errors";
import { hostMatches, type Limits } from "../config";
import { isForbiddenHost } from "./host-policy";
import { readCapped } from "./read-body";

const MAX_REDIRECTS = 3;

/** Parses and vets one URL; the same check runs for the first URL and every redirect. */
export function vetUrl(raw: string, allowedHosts: string[] | null, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (cause) {
    throw new ApiError("invalid_url", undefined, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError("invalid_url", `url= must use http or https, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw new ApiError("invalid_url", "url= may not carry credentials");
  if (isForbiddenHost(url.hostname)) throw new ApiError("forbidden_host", `Fetching ${url.hostname} is not allowed`);
  if (allowedHosts && !allowedHosts.some((pattern) => hostMatches(url.hostname, pattern))) {
    throw new ApiError("forbidden_host", `${url.hostname} is not on this service's list of image sources`);
  }
  return url;
}

export interface Downloaded {
  bytes: Uint8Array;
  /** The source's own Cache-Control, to honour `no-store` and `private`. */
  cacheControl: string | null;
}

/**
 * Downloads an image from a vetted URL within the limits: one deadline for the whole chain and
 * a shorter one for each hop's response headers.
 * @example const { bytes } = await fetchSource(vetUrl("https://example.com/cat.jpg", null), limits);
 */
export async function fetchSource(first: URL, limits: Limits): Promise<Downloaded> {
  let url = first;
  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const hopSignal = AbortSignal.any([signal, AbortSignal.timeout(limits.fetchHopTimeoutMs)]);
      const response = await fetch(url, {
        redirect: "manual",
        signal: hopSignal,
        headers: { accept: "image/jpeg,image/png,image/webp;q=0.9,*/*;q=0.1", "user-agent": "edge-u2net/0.1" },
      });
      if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new ApiError("upstream_error", `More than ${MAX_REDIRECTS} redirects`);
        url = vetUrl(response.headers.get("location")!, limits.sourceHosts, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new ApiError("upstream_error", `The source answered HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get("content-length"));
      if (declared > limits.maxBytes) {
        await response.body?.cancel();
        throw new ApiError("payload_too_large", `The source file is ${declared} bytes; the limit is ${limits.maxBytes}`);
      }
      // The body is under the whole chain's deadline only: a slow large file is fine, a stalled one is not.
      return { bytes: await readCapped(response.body, limits.maxBytes), cacheControl: response.headers.get("cache-control") };
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (isTimeout(error) || signal.aborted) throw new ApiError("upstream_timeout", `No image from the source within ${limits.fetchTimeoutMs} ms`, { cause: error });
    throw new ApiError("upstream_error", "The source could not be reached", { cause: error });
  }
}

const isTimeout = (error: unknown) => error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
