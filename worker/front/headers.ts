/**
 * Changing an answer's headers on its way out. Answers the app builds have mutable headers and
 * are changed in place; one whose headers are immutable (straight from fetch or the cache) is
 * copied first.
 */
import type { Context } from "hono";

/** Sets (or, for null, removes) headers; returns `response` itself or, if it was immutable, a copy. */
export function setHeaders(response: Response, changes: Record<string, string | null>): Response {
  let target = response;
  const apply = () => {
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) target.headers.delete(name);
      else target.headers.set(name, value);
    }
  };
  try {
    apply();
  } catch {
    target = new Response(response.body, response);
    apply();
  }
  return target;
}

/** Replaces `c.res` outright (Hono's setter would otherwise merge the old headers back in). */
export function replaceResponse(c: Context, response: Response): void {
  if (response === c.res) return;
  c.res = undefined;
  c.res = response;
}
