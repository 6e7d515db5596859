/**
 * Fetches the image behind url=. This is a public proxy's attack surface: only http(s), no
 * credentials in the URL, no forbidden hosts (host-policy.ts), redirects followed by hand so
 * every hop is checked again, one deadline for the whole chain, and a byte cap enforced while
 * the body streams in. The file's type is decided later from its bytes, not Content-Type.
 */
import { ApiError } from "../errors";
import type { Limits } from "../config";
import { isForbiddenHost } from "./host-policy";
import { readCapped } from "./read-body";

const MAX_REDIRECTS = 3;

/** Parses and vets one URL; the same check runs for the first URL and every redirect. */
export function vetUrl(raw: string, base?: URL): URL {
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
  return url;
}

/**
 * Downloads an image from a vetted URL within the limits.
 * @example const bytes = await fetchSource("https://example.com/cat.jpg", limits);
 */
export async function fetchSource(raw: string, limits: Limits): Promise<Uint8Array> {
  let url = vetUrl(raw);
  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const response = await fetch(url, {
        redirect: "manual",
        signal,
        headers: { accept: "image/jpeg,image/png,image/webp;q=0.9,*/*;q=0.1", "user-agent": "edge-u2net/0.1" },
      });
      if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new ApiError("upstream_error", `More than ${MAX_REDIRECTS} redirects`);
        url = vetUrl(response.headers.get("location")!, url);
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
      return await readCapped(response.body, limits.maxBytes);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (signal.aborted) throw new ApiError("upstream_timeout", `No image from the source within ${limits.fetchTimeoutMs} ms`, { cause: error });
    throw new ApiError("upstream_error", "The source could not be reached", { cause: error });
  }
}
