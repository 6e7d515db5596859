/**
 * The front worker asks the edge segmenter to get its session ready as soon as a request that
 * the edge will answer arrives, before the photo is read: on a cold isolate the session is then
 * created while the upload or the origin fetch is still under way.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/front/index";
import { DEFAULT_MODEL } from "../../core/models";
import { ORIGIN, errorCode } from "../helpers";

/** Calls the front with SEGMENTER wrapped so every path it is asked for is recorded. */
async function call(url: string, vars: Record<string, string> = {}): Promise<{ response: Response; segmenterPaths: string[] }> {
  const segmenterPaths: string[] = [];
  const segmenter = {
    fetch(input: RequestInfo, init?: RequestInit) {
      const request = new Request(input, init);
      segmenterPaths.push(new URL(request.url).pathname);
      return env.SEGMENTER.fetch(request);
    },
  } as unknown as Fetcher;
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url), { ...(env as Env), ...vars, SEGMENTER: segmenter } as Env, ctx);
  const body = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { response: new Response(body, response), segmenterPaths };
}

const ready = `/v2/models/${DEFAULT_MODEL}/ready`;

describe("the edge segmenter is warmed before the photo arrives", () => {
  it("asks it to get ready even when the photo never comes (the origin times out)", async () => {
    const { response, segmenterPaths } = await call(`http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/slow?ms=8000`)}`);
    expect(response.status).toBe(504);
    expect(await errorCode(response)).toBe("upstream_timeout");
    expect(segmenterPaths).toEqual([ready]);
  });

  it("warms, then runs the same model for a real photo", async () => {
    const { response, segmenterPaths } = await call(`http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/images/chelsea.png`)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-model")).toBe(DEFAULT_MODEL);
    expect(segmenterPaths).toEqual([ready, `/v2/models/${DEFAULT_MODEL}/infer`]);
  });

  it("leaves the edge alone when a GPU server may answer instead (model=auto)", async () => {
    const { response, segmenterPaths } = await call(`http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/slow?ms=8000`)}`, {
      GPU_SERVER_URL: "https://gpu.test",
    });
    expect(response.status).toBe(504);
    expect(segmenterPaths).toEqual([]);
  });
});
