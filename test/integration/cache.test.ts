/**
 * Caching: a repeated GET is answered from the Cache API without inference, whatever the
 * parameter order or spelling; the ETag gives 304 before any work; a source photo used by
 * several requests is downloaded once.
 */
import { describe, expect, it } from "vitest";
import { resultKey } from "../../worker/front/cache/result-cache";
import { ORIGIN, get, inferences, mismatches, originHits } from "../helpers";

/** A source URL no other test uses, so hits and cache entries start from nothing. */
const fresh = (photo: string, tag: string) => `${ORIGIN}/images/${photo}?case=${tag}`;
const bytes = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const encode = encodeURIComponent;

describe("answers", () => {
  it("the second identical request is a hit and runs no inference", async () => {
    const url = `/remove?url=${encode(fresh("chelsea.png", "repeat"))}&bg=ff0000`;
    const before = await inferences();
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    const firstBytes = await bytes(first);
    expect(await inferences()).toBe(before + 1);

    const second = await get(url);
    expect(second.status).toBe(200);
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(mismatches(await bytes(second), firstBytes)).toBe(0);
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(second.headers.get("content-type")).toBe("image/png");
    expect(second.headers.get("x-model")).toBe(first.headers.get("x-model"));
    expect(await inferences()).toBe(before + 1);
  });

  it("parameter order and spelling do not matter; unknown parameters do not split the cache", async () => {
    const source = encode(fresh("coffee.png", "order"));
    const first = await get(`/highlight?url=${source}&style=gray&strength=0.5&refine=1`);
    expect(first.headers.get("x-cache")).toBe("miss");
    await first.body?.cancel();
    const before = await inferences();
    for (const variant of [
      `/highlight?refine=1&strength=0.5&style=gray&url=${source}`,
      `/highlight?style=GRAY&refine=true&url=${source}&strength=0.50`,
      `/highlight?url=${source}&strength=.5&style=gray&refine=yes&utm_source=newsletter`,
    ]) {
      const response = await get(variant);
      expect(response.headers.get("x-cache"), variant).toBe("hit");
      expect(response.headers.get("etag")).toBe(first.headers.get("etag"));
      await response.body?.cancel();
    }
    expect(await inferences()).toBe(before);
  });

  it("different parameters, endpoints and Accept variants are different entries", async () => {
    const source = encode(fresh("coffee.png", "variants"));
    const etags = new Set<string>();
    for (const [path, accept] of [
      [`/mask?url=${source}`, "image/png"],
      [`/mask?url=${source}&threshold=128`, "image/png"],
      [`/remove?url=${source}`, "image/png"],
      [`/remove?url=${source}`, "image/webp,*/*"],
    ]) {
      const response = await get(path, { accept });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-cache"), `${path} ${accept}`).toBe("miss");
      etags.add(response.headers.get("etag")!);
      await response.body?.cancel();
    }
    expect(etags.size).toBe(4);
  });

  it("If-None-Match with the ETag answers 304 without fetching or inference", async () => {
    const source = fresh("chelsea.png", "etag");
    const path = `/mask?url=${encode(source)}`;
    const first = await get(path);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    await first.body?.cancel();
    const [hits, runs] = [await originHits(source), await inferences()];

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const response = await get(path, { "if-none-match": ifNoneMatch });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.headers.get("etag")).toBe(etag);
      expect(await response.text()).toBe("");
    }
    const stale = await get(path, { "if-none-match": '"0123456789abcdef0123456789abcdef"' });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
    expect(await originHits(source)).toBe(hits);
    expect(await inferences()).toBe(runs);
  });

  it("a model change changes the key", async () => {
    const parts = { effect: "mask", options: {}, source: "https://example.com/cat.jpg" };
    const a = await resultKey({ ...parts, models: ["u2netp@aaaa1111.bbbb2222"] });
    const b = await resultKey({ ...parts, models: ["u2netp@aaaa1111.cccc3333"] });
    expect(a.request.url).not.toBe(b.request.url);
    expect(a.etag).not.toBe(b.etag);
    // …and the key the route uses carries the live model versions: same parts, same key.
    expect((await resultKey({ ...parts, models: ["u2netp@aaaa1111.bbbb2222"] })).etag).toBe(a.etag);
  });

  it("POSTed files are not cached, and errors are not cached", async () => {
    const missing = await get(`/mask?url=${encode(`${ORIGIN}/status/404`)}`);
    expect(missing.status).toBe(502);
    expect(missing.headers.get("x-cache")).toBeNull();
    const again = await get(`/mask?url=${encode(`${ORIGIN}/status/404`)}`);
    expect(again.status).toBe(502);
    expect(await originHits(`${ORIGIN}/status/404`)).toBeGreaterThanOrEqual(2);
  });
});

describe("sources", () => {
  it("one photo used by several requests is downloaded once", async () => {
    const source = fresh("chelsea.png", "shared-source");
    for (const path of ["/mask", "/bbox", "/crop"]) {
      const response = await get(`${path}?url=${encode(source)}`);
      expect(response.status, path).toBe(200);
      await response.body?.cancel();
    }
    expect(await originHits(source)).toBe(1);
  });

  it("a source that says no-store is fetched every time", async () => {
    const source = `${ORIGIN}/no-store/chelsea.png`;
    for (const threshold of [100, 200]) {
      const response = await get(`/mask?url=${encode(source)}&threshold=${threshold}`);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    expect(await originHits(source)).toBe(2);
  });
});
