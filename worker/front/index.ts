/**
 * The front worker: routes, one error handler, nothing else. The static site is served by the
 * assets binding before requests reach here.
 */
import { Hono, type Context } from "hono";
import { EFFECTS } from "../../core/effects";
import { ApiError, errorResponse } from "../../core/errors";
import { asApiError } from "./codecs";
import { cors } from "./cors";
import { guard } from "./guard";
import { effectRoute } from "./routes/effect-route";
import { health } from "./routes/health";
import { removeBg, removeBgError } from "./routes/removebg";

const app = new Hono<{ Bindings: Env }>();

const REMOVE_BG = "/v1.0/removebg";
const API_PATHS = new Set(["/health", REMOVE_BG, ...EFFECTS.map((effect) => `/${effect.name}`)]);

app.use("*", cors(API_PATHS));
app.get("/health", health);
for (const effect of EFFECTS) {
  app.on(["GET", "POST"], `/${effect.name}`, guard, effectRoute(effect));
  app.all(`/${effect.name}`, () => {
    throw new ApiError("method_not_allowed", "Use GET ?url= or POST the image");
  });
}
// remove.bg's API: mapped onto the effects above by a request through this same app.
app.post(REMOVE_BG, guard, removeBg((request, c) => Promise.resolve(app.fetch(request, c.env, c.executionCtx))));
app.all(REMOVE_BG, () => {
  throw new ApiError("method_not_allowed", "POST the image as a form or JSON");
});

/** How long a client should wait before trying again, for the codes where that helps. */
const RETRY_AFTER: Partial<Record<string, HeadersInit>> = { busy: { "retry-after": "2" }, rate_limited: { "retry-after": "60" } };

/** remove.bg's clients read its error envelope; everyone else gets the product's. */
const answerError = (c: Context, error: ApiError) => (c.req.path === REMOVE_BG ? removeBgError : errorResponse)(error, RETRY_AFTER[error.code]);

app.notFound(() => errorResponse(new ApiError("not_found")));
app.onError((thrown, c) => {
  const error = asApiError(thrown);
  if (error instanceof ApiError) {
    // Our own failures are worth a log line; a client's bad input or a dead source is not.
    if (error.code === "segmenter_unavailable") console.error(`${error.code}: ${error.message}`, error.cause);
    return answerError(c, error);
  }
  console.error("unhandled error", error);
  return answerError(c, new ApiError("internal_error"));
});

export default app;
