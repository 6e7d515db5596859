/**
 * The front worker: routes, one error handler, nothing else. The static site is served by the
 * assets binding before requests reach here.
 */
import { Hono } from "hono";
import { EFFECTS } from "../../core/effects";
import { ApiError, errorResponse } from "../../core/errors";
import { asApiError } from "./codecs";
import { guard } from "./guard";
import { effectRoute } from "./routes/effect-route";
import { health } from "./routes/health";

const app = new Hono<{ Bindings: Env }>();

app.get("/health", health);
for (const effect of EFFECTS) {
  app.on(["GET", "POST"], `/${effect.name}`, guard, effectRoute(effect));
  app.all(`/${effect.name}`, () => {
    throw new ApiError("method_not_allowed", "Use GET ?url= or POST the image");
  });
}

/** How long a client should wait before trying again, for the codes where that helps. */
const RETRY_AFTER: Partial<Record<string, HeadersInit>> = { busy: { "retry-after": "2" }, rate_limited: { "retry-after": "60" } };

app.notFound(() => errorResponse(new ApiError("not_found")));
app.onError((thrown) => {
  const error = asApiError(thrown);
  if (error instanceof ApiError) {
    // Our own failures are worth a log line; a client's bad input or a dead source is not.
    if (error.code === "segmenter_unavailable") console.error(`${error.code}: ${error.message}`, error.cause);
    return errorResponse(error, RETRY_AFTER[error.code]);
  }
  console.error("unhandled error", error);
  return errorResponse(new ApiError("internal_error"));
});

export default app;
