/**
 * Abuse control: signed URLs, the embedding allow-list, the per-client rate limit, the source
 * host allow-list and the per-hop fetch deadline. Configurations other than wrangler.toml's
 * are tested by calling the front worker with a changed env, as a deployment with those vars
 * or secrets would run it.
 */
import { describe, expect, it } from "vitest";
import { signUrl, verifySignature } from "../../worker/front/guard/signature";
import { ORIGIN, fixture, originHits } from "../helpers";
import { callWith as call, expectError } from "../support/configured";

const KEY = "test-signing-key-0123456789";
const PHOTO = `${ORIGIN}/images/chelsea.png`;

describe("signed URLs (SIGNING_KEY set)", () => {
  const signed = { SIGNING_KEY: KEY };
  const base = `http://edge.test/mask?url=${encodeURIComponent(PHOTO)}&threshold=128`;

  it("a URL signed with the key is served", async () => {
    const response = await call(await signUrl(base, KEY), signed);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    await response.body?.cancel();
  });

  it("the signature does not depend on parameter order", async () => {
    const url = new URL(await signUrl(base, KEY));
    const reordered = new URL(url.origin + url.pathname);
    for (const [name, value] of [...url.searchParams].reverse()) reordered.searchParams.append(name, value);
    await expect(verifySignature(reordered.href, KEY)).resolves.toBeUndefined();
  });

  it.each([
    ["unsigned", async () => base],
    ["signed with another key", () => signUrl(base, "another-key")],
    ["a parameter changed after signing", async () => (await signUrl(base, KEY)).replace("threshold=128", "threshold=129")],
    ["a parameter added after signing", async () => (await signUrl(base, KEY)) + "&bg=000"],
    ["a different endpoint", async () => (await signUrl(base, KEY)).replace("/mask?", "/remove?")],
    ["a truncated signature", async () => (await signUrl(base, KEY)).slice(0, -2)],
    ["an empty signature", async () => `${base}&sig=`],
    ["expired", () => signUrl(base, KEY, new Date(Date.now() - 1000))],
    ["exp= changed after signing", async () => (await signUrl(base, KEY, new Date(Date.now() - 1000))).replace(/exp=\d+/, "exp=99999999999")],
  ])("%s → 403 invalid_signature, nothing fetched", async (_name, make) => {
    const url = await make();
    const before = await originHits(PHOTO);
    await expectError(await call(url, signed), 403, "invalid_signature");
    expect(await originHits(PHOTO)).toBe(before);
  });

  it("a signature that has not expired yet is accepted", async () => {
    const url = await signUrl(base, KEY, new Date(Date.now() + 3600_000));
    await expect(verifySignature(url, KEY)).resolves.toBeUndefined();
  });

  it("POST needs a signature too", async () => {
    const photo = await fixture("images/chelsea.png");
    await expectError(await call("http://edge.test/mask", signed, { method: "POST", body: photo }), 403, "invalid_signature");
    const response = await call(await signUrl("http://edge.test/mask", KEY), signed, { method: "POST", body: photo });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it("health and the site stay public", async () => {
    const health = await call("http://edge.test/health", signed);
    expect(health.status).toBe(200);
    await health.body?.cancel();
  });
});

describe("embedding allow-list (ALLOWED_REFERERS)", () => {
  const vars = { ALLOWED_REFERERS: "blog.example.com, *.shop.example" };
  const url = "http://edge.test/mask"; // no image: an allowed request reaches the route and gets 400

  it.each([
    ["a listed site", { referer: "https://blog.example.com/post/1" }],
    ["a subdomain of a wildcard entry", { referer: "https://eu.shop.example/cart" }],
    ["a listed Origin", { origin: "https://blog.example.com" }],
    ["the service's own pages", { referer: "http://edge.test/index.html" }],
    ["no Referer or Origin", {}],
  ])("%s passes", async (_name, headers) => {
    await expectError(await call(url, vars, { headers }), 400, "missing_image");
  });

  it.each([
    ["another site", { referer: "https://evil.example.net/" }],
    ["a look-alike suffix", { referer: "https://blog.example.com.evil.net/" }],
    ["the wildcard's own apex is not a subdomain", { referer: "https://shop.example/" }],
    ["an unlisted Origin with a listed Referer", { origin: "https://evil.example.net", referer: "https://blog.example.com/" }],
    ["a Referer that is not a URL", { referer: "not a url" }],
  ])("%s → 403 forbidden_referer", async (_name, headers) => {
    await expectError(await call(`${url}?url=${encodeURIComponent(PHOTO)}`, vars, { headers }), 403, "forbidden_referer");
  });
});

describe("rate limit (the RATE_LIMITER binding, 300 a minute per client)", () => {
  it("a client over its limit gets 429 with Retry-After; other clients are unaffected", async () => {
    const from = (ip: string) => call("http://edge.test/mask", {}, { headers: { "cf-connecting-ip": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 310; i++) {
      const response = await from("203.0.113.77");
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 300).every((s) => s === 400)).toBe(true); // under the limit: the route's own answer
    const over = await from("203.0.113.77");
    await expectError(over.clone(), 429, "rate_limited");
    expect(over.headers.get("retry-after")).toBe("60");
    expect(statuses.slice(300).every((s) => s === 429)).toBe(true);
    await expectError(await from("203.0.113.78"), 400, "missing_image");
  });
});

describe("source host allow-list (SOURCE_HOSTS)", () => {
  const vars = { SOURCE_HOSTS: "cdn.example.com,*.images.example.org" };

  it("an unlisted public host is refused before it is contacted", async () => {
    const source = `${ORIGIN}/images/chelsea.png?case=allow-list`;
    await expectError(await call(`http://edge.test/mask?url=${encodeURIComponent(source)}`, vars), 403, "forbidden_host");
    expect(await originHits(source)).toBe(0);
  });

  it("a listed host is fetched", async () => {
    const response = await call(`http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/images/chelsea.png`)}`, { SOURCE_HOSTS: "images.test" });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it("a redirect from a listed host to an unlisted one is refused", async () => {
    const target = `https://elsewhere.test/x.png`;
    const response = await call(
      `http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/redirect-to?to=${encodeURIComponent(target)}`)}`,
      { SOURCE_HOSTS: "images.test" },
    );
    await expectError(response, 403, "forbidden_host");
    expect(await originHits(target)).toBe(0);
  });
});

describe("fetch deadlines", () => {
  it("a source that accepts but does not answer is dropped at the per-hop deadline", async () => {
    const started = Date.now();
    const response = await call(`http://edge.test/mask?url=${encodeURIComponent(`${ORIGIN}/slow?ms=8000`)}`, {
      FETCH_TIMEOUT_MS: "20000",
      FETCH_HOP_TIMEOUT_MS: "700",
    });
    await expectError(response, 504, "upstream_timeout");
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
