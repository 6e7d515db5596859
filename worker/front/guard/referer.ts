/**
 * Embedding allow-list (`ALLOWED_REFERERS`): a browser embedding `<img src=…>` on another site
 * sends that site as Referer (fetches send Origin). Requests from a listed site or from this
 * service's own pages pass; others get 403. Requests with neither header pass, since privacy
 * settings strip Referer and non-browser clients never send one: use signed URLs to lock those
 * out too.
 */
import { hostMatches } from "../config";
import { ApiError } from "../../../core/errors";

function hostOf(value: string | undefined): string | null {
  if (!value || value === "null") return null;
  try {
    return new URL(value).hostname;
  } catch {
    return "";
  }
}

/** @throws ApiError forbidden_referer when the embedding site is not on the list. */
export function checkReferer(request: Request, allowed: string[]): void {
  const site = hostOf(request.headers.get("origin") ?? undefined) ?? hostOf(request.headers.get("referer") ?? undefined);
  if (site === null) return;
  const self = new URL(request.url).hostname;
  if (site === self || allowed.some((pattern) => hostMatches(site, pattern))) return;
  throw new ApiError("forbidden_referer", `Embedding from ${site || "that page"} is not allowed`);
}
