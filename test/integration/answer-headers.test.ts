/**
 * What an image answer says about itself: `Server-Timing` (the phases known when the headers
 * leave; the full split, compose and encode included, in `/health`), `Content-Disposition`
 * with a name made from the source, and `X-Width`/`X-Height`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/front/index";
import { sourceName } from "../../worker/front/routes/content-disposition";
import { ORIGIN, decode, fixture, get, post } from "../helpers";

const PHOTO = `${ORIGIN}/images/chelsea.png`;

async function call(url: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, init), env as Env, ctx);
  const body = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

/** `name;desc="…";dur=1.2, …` as name → { dur, desc }; fails on anything malformed. */
function serverTiming(header: string | null): Map<string, { dur: number; desc?: string }> {
  expect(header).toBeTruthy();
  const entries = new Map<string, { dur: number; desc?: string }>();
  for (const entry of header!.split(/,\s*/)) {
    const match = /^([a-z]+)(?:;desc="([^"]*)")?;dur=(\d+(?:\.\d+)?)$/.exec(entry);
    expect(match, entry).not.toBeNull();
    entries.set(match![1], { dur: Number(match![3]), desc: match![2] });
  }
  return entries;
}

describe("Server-Timing", () => {
  it("a miss reports cache, fetch, queue, decode, infer and mask; a hit reports the cache lookup only", async () => {
    const url = `http://edge.test/remove?url=${encodeURIComponent(PHOTO)}&threshold=77`;
    const miss = await call(url);
    expect(miss.headers.get("x-cache")).toBe("miss");
    const phases = serverTiming(miss.headers.get("server-timing"));
    expect([...phases.keys()]).toEqual(["cache", "fetch", "queue", "decode", "infer", "mask"]);
    // Inference waits on the segmenter worker: it takes real time on any clock.
    expect(phases.get("infer")!.dur).toBeGreaterThan(10);

    const hit = await call(url);
    expect(hit.headers.get("x-cache")).toBe("hit");
    const hitPhases = serverTiming(hit.headers.get("server-timing"));
    expect([...hitPhases.keys()]).toEqual(["cache"]);
    expect(hitPhases.get("cache")!.desc).toBe("hit");
  });

  it("/health keeps the last answer's whole split, compose and encode included", async () => {
    await (await post("/mask?format=png", await fixture("images/chelsea.png"))).arrayBuffer();
    const health = (await (await get("/health")).json()) as { lastAnswer: { effect: string; phases: Record<string, number>; totalMs: number } };
    expect(health.lastAnswer.effect).toBe("mask");
    for (const phase of ["fetch", "queue", "decode", "infer", "mask", "compose", "encode"]) expect(health.lastAnswer.phases[phase]).toBeGreaterThanOrEqual(0);
    expect(health.lastAnswer.phases.infer).toBeGreaterThan(10);
    expect(health.lastAnswer.totalMs).toBeGreaterThanOrEqual(health.lastAnswer.phases.infer);
  });
});

describe("Content-Disposition and size headers", () => {
  it("names a url= answer after the source's file and the effect, with the answer's extension", async () => {
    const response = await call(`http://edge.test/crop?url=${encodeURIComponent(`${PHOTO}?v=2`)}&w=64&h=48&format=png`);
    expect(response.headers.get("content-disposition")).toBe('inline; filename="chelsea-crop.png"');
    const image = decode(new Uint8Array(await response.arrayBuffer()));
    expect([response.headers.get("x-width"), response.headers.get("x-height")]).toEqual(["64", "48"]);
    expect([image.width, image.height]).toEqual([64, 48]);
  });

  it("uses an uploaded file's own name, made safe", async () => {
    const body = new FormData();
    body.append("image", new File([await fixture("images/chelsea.png")], 'my "cat" (1).PNG'));
    const response = await post("/mask?format=png", body);
    expect(response.headers.get("content-disposition")).toBe('inline; filename="my-cat-1-mask.png"');
    await response.body?.cancel();
  });

  it("falls back to image for a raw body; JSON answers have none", async () => {
    const photo = await fixture("images/chelsea.png");
    const raw = await post("/remove?format=png", photo);
    expect(raw.headers.get("content-disposition")).toBe('inline; filename="image-remove.png"');
    await raw.body?.cancel();
    const json = await post("/bbox", photo);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(json.headers.get("content-disposition")).toBeNull();
    await json.body?.cancel();
  });

  it.each([
    ["https://x.test/a/b/Cat%20Photo.jpeg?size=2", "Cat-Photo"],
    ["https://x.test/", "image"],
    ["../../etc/passwd", "passwd"],
    ['a";filename="evil.exe', "a-filename-evil"],
    ["%E2%9C%93.png", "image"],
    ["x".repeat(300) + ".png", "x".repeat(64)],
  ])("source name of %s is %s", (raw, name) => {
    expect(sourceName(raw)).toBe(name);
  });
});
