/**
 * API keys (`X-Api-Key` against the `API_KEYS` secret) for server-to-server use, and how they
 * sit beside the other controls: a valid key stands in for `sig=` and for the embedding check,
 * and is rate-limited per key; a wrong key is a 401. Also: signed URLs with `exp=` are
 * answered as immutable until they expire.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signUrl } from "../../worker/front/guard/signature";
import { ORIGIN, fixture, originHits } from "../helpers";
import { callWith as call, expectError } from "../support/configured";

const KEYS = { API_KEYS: "key-one-0123456789abcdef, key-two-fedcba9876543210" };
const PHOTO = `${ORIGIN}/images/chelsea.png`;
const MASK = `http://edge.test/mask?url=${encodeURIComponent(PHOTO)}&threshold=128`;

async function expectImage(response: Response) {
  if (response.status !== 200) expect.fail(`HTTP ${response.status}: ${await response.text()}`);
  expect(response.headers.get("content-type")).toMatch(/^image\//);
  await response.body?.cancel();
}

describe("API keys", () => {
  it("with SIGNING_KEY set, a listed key stands in for sig= (either key of the list)", async () => {
    const vars = { ...KEYS, SIGNING_KEY: "signing-key-0123" };
    await expectError(await call(MASK, vars), 403, "invalid_signature");
    await expectImage(await call(MASK, vars, { headers: { "x-api-key": "key-two-fedcba9876543210" } }));
    await expectImage(await call(MASK.replace("128", "127"), vars, { headers: { "x-api-key": "key-one-0123456789abcdef" } }));
  });

  it.each([
    ["a wrong key", "key-one-0123456789abcdeX"],
    ["a prefix of a key", "key-one"],
    ["a key with more after it", "key-one-0123456789abcdef0"],
    ["two keys in one header", "key-one-0123456789abcdef, key-two-fedcba9876543210"],
  ])("%s → 401 invalid_api_key before anything is fetched", async (_name, key) => {
    const before = await originHits(PHOTO);
    await expectError(await call(MASK, KEYS, { headers: { "x-api-key": key } }), 401, "invalid_api_key");
    expect(await originHits(PHOTO)).toBe(before);
  });

  it("a keyed request from a server needs no Referer, and a foreign page's Referer does not stop it", async () => {
    const vars = { ...KEYS, ALLOWED_REFERERS: "blog.example.com" };
    await expectError(await call(MASK, vars, { headers: { referer: "https://other.example/page" } }), 403, "forbidden_referer");
    await expectImage(await call(MASK, vars, { headers: { referer: "https://other.example/page", "x-api-key": "key-one-0123456789abcdef" } }));
  });

  it("without API_KEYS the header is ignored (remove.bg clients always send one)", async () => {
    await expectImage(await call(MASK, {}, { headers: { "x-api-key": "whatever-remove-bg-key" } }));
  });

  it("POST works with a key too", async () => {
    const body = await fixture("images/chelsea.png");
    const vars = { ...KEYS, SIGNING_KEY: "signing-key-0123" };
    await expectImage(await call("http://edge.test/mask", vars, { method: "POST", body, headers: { "x-api-key": "key-one-0123456789abcdef" } }));
  });

  it("keyed requests are counted per key, not per address; wrong keys per address", async () => {
    // Cheap requests: the guard counts them, then the route refuses the missing image.
    // Keys of their own, so the budget is this test's alone.
    const vars = { API_KEYS: "key-rate-1111111111111111,key-rate-2222222222222222" };
    const from = (ip: string, key?: string) =>
      call("http://edge.test/mask", vars, { headers: { "cf-connecting-ip": ip, ...(key ? { "x-api-key": key } : {}) } });
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++) {
      // One key from many addresses: one budget.
      const response = await from(`198.51.100.${i % 200}`, "key-rate-1111111111111111");
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 300).every((s) => s === 400)).toBe(true);
    expect(statuses[300]).toBe(429);
    // The same address without the key, and the other key, have budgets of their own.
    await expectError(await from("198.51.100.1"), 400, "missing_image");
    await expectError(await from("198.51.100.1", "key-rate-2222222222222222"), 400, "missing_image");
    // A wrong key spends its address's budget before it is refused.
    for (let i = 0; i < 300; i++) await (await from("203.0.113.99", "not-a-key")).body?.cancel();
    await expectError(await from("203.0.113.99", "not-a-key"), 429, "rate_limited");
  });
});

describe("signed URLs with exp=", () => {
  const signed = { SIGNING_KEY: "signing-key-0123" };

  it("are answered as immutable, cached no longer than they live", async () => {
    const url = await signUrl(MASK.replace("128", "131"), signed.SIGNING_KEY, new Date(Date.now() + 600_000));
    const response = await call(url, signed);
    expect(response.status).toBe(200);
    const cacheControl = response.headers.get("cache-control") ?? "";
    expect(cacheControl).toMatch(/^public, max-age=\d+, immutable$/);
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)![1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    await response.body?.cancel();
  });

  it("a long-lived one is capped at CACHE_TTL; one without exp= is not immutable", async () => {
    const long = await call(await signUrl(MASK.replace("128", "132"), signed.SIGNING_KEY, new Date(Date.now() + 10 * 86_400_000)), signed);
    expect(long.headers.get("cache-control")).toBe(`public, max-age=${env.CACHE_TTL}, immutable`);
    await long.body?.cancel();
    const plain = await call(await signUrl(MASK.replace("128", "133"), signed.SIGNING_KEY), signed);
    expect(plain.headers.get("cache-control")).toBe(`public, max-age=${env.CACHE_TTL}`);
    await plain.body?.cancel();
  });
});
