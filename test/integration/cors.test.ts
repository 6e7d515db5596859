/**
 * CORS: a page on another origin can read answers and errors (simple requests), preflights are
 * answered on every API path, and with `ALLOWED_ORIGINS` only listed origins are echoed, with
 * `Vary: Origin` merged into the answer's own Vary. Cached answers get the headers of the
 * request that reads them, not of the one that stored them.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EFFECTS } from "../../core/effects";
import worker from "../../worker/front/index";
import { ORIGIN, errorCode, fixture } from "../helpers";

const PHOTO = `${ORIGIN}/images/chelsea.png`;
const LISTED = { ALLOWED_ORIGINS: "https://app.example.com, *.shop.example" };
const API_PATHS = ["/health", "/v1.0/removebg", ...EFFECTS.map((e) => `/${e.name}`)];

/** The front worker under a configuration of its own; waits for cache writes to land. */
async function call(url: string, vars: Record<string, string> = {}, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, init), { ...env, ...vars } as Env, ctx);
  const body = new Uint8Array(await response.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return new Response(response.status === 204 || response.status === 304 ? null : body, response);
}

const varyTokens = (response: Response) => (response.headers.get("vary") ?? "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);

describe("simple requests (no ALLOWED_ORIGINS)", () => {
  it("an image answer is readable from any origin, and its own headers are exposed", async () => {
    const response = await call(`http://edge.test/mask?url=${encodeURIComponent(PHOTO)}&threshold=101`, {}, { headers: { origin: "https://elsewhere.example" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/,\s*/);
    for (const name of ["x-model", "x-backend", "x-crop-box", "x-fallback", "x-cache", "server-timing", "x-width", "x-height", "content-disposition"]) {
      expect(exposed).toContain(name);
    }
    // `*` is the same answer for everyone: no Vary: Origin, and the answer's own Vary kept.
    expect(varyTokens(response)).toContain("accept");
    expect(varyTokens(response)).not.toContain("origin");
  });

  it.each([
    ["a bad parameter", "/remove?url=x&bg=nope", 400, "invalid_parameter"],
    ["an unknown path", "/nowhere", 404, "not_found"],
    ["a wrong method", "/remove", 405, "method_not_allowed"],
  ])("errors carry CORS too, so a page can read the JSON: %s", async (_name, path, status, code) => {
    const response = await call(`http://edge.test${path}`, {}, { method: status === 405 ? "PUT" : "GET", headers: { origin: "https://elsewhere.example" } });
    expect(response.status).toBe(status);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await errorCode(response)).toBe(code);
  });

  it("health is readable cross-origin", async () => {
    const response = await call("http://edge.test/health", {}, { headers: { origin: "https://elsewhere.example" } });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("preflight", () => {
  it.each(API_PATHS)("OPTIONS %s → 204 with methods, headers and max-age", async (path) => {
    const response = await call(`http://edge.test${path}`, {}, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-api-key" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "x-api-key"]));
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
  });

  it("a preflight is not an API call: the rate limit and the signature are not asked", async () => {
    const response = await call("http://edge.test/remove", { SIGNING_KEY: "k" }, { method: "OPTIONS", headers: { origin: "https://a.example" } });
    expect(response.status).toBe(204);
  });

  it("OPTIONS on a path that is not the API is a 404", async () => {
    expect((await call("http://edge.test/nowhere", {}, { method: "OPTIONS" })).status).toBe(404);
  });
});

describe("ALLOWED_ORIGINS", () => {
  it.each([
    ["a listed origin", "https://app.example.com", "https://app.example.com"],
    ["a wildcard host", "https://a.shop.example", "https://a.shop.example"],
    ["another scheme of a listed whole origin", "http://app.example.com", null],
    ["a look-alike suffix", "https://evilshop.example", null],
    ["an unlisted origin", "https://elsewhere.example", null],
  ])("%s → %s", async (_name, origin, echoed) => {
    const response = await call("http://edge.test/remove?bg=nope", LISTED, { headers: { origin } });
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe(echoed);
    expect(varyTokens(response)).toContain("origin");
  });

  it("preflights echo a listed origin only", async () => {
    const init = (origin: string) => ({ method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    const listed = await call("http://edge.test/v1.0/removebg", LISTED, init("https://app.example.com"));
    expect(listed.status).toBe(204);
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(varyTokens(listed)).toContain("origin");
    const other = await call("http://edge.test/v1.0/removebg", LISTED, init("https://elsewhere.example"));
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("an image answer merges Vary: Origin with Vary: Accept, and a cache hit echoes its own request's origin", async () => {
    const url = `http://edge.test/mask?url=${encodeURIComponent(PHOTO)}&threshold=102`;
    const first = await call(url, LISTED, { headers: { origin: "https://app.example.com" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(first.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(varyTokens(first)).toEqual(expect.arrayContaining(["accept", "origin"]));

    const hit = await call(url, LISTED, { headers: { origin: "https://b.shop.example" } });
    expect(hit.headers.get("x-cache")).toBe("hit");
    expect(hit.headers.get("access-control-allow-origin")).toBe("https://b.shop.example");
    expect(varyTokens(hit)).toEqual(expect.arrayContaining(["accept", "origin"]));
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(new Uint8Array(await first.arrayBuffer()));

    const stranger = await call(url, LISTED, { headers: { origin: "https://elsewhere.example" } });
    expect(stranger.headers.get("x-cache")).toBe("hit");
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();

    const open = await call(url, {}, { headers: { origin: "https://elsewhere.example" } });
    expect(open.headers.get("x-cache")).toBe("hit");
    expect(open.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("ALLOWED_REFERERS is still enforced beside it", async () => {
    const response = await call(`http://edge.test/mask?url=${encodeURIComponent(PHOTO)}`, { ...LISTED, ALLOWED_REFERERS: "blog.example.com" }, { headers: { origin: "https://app.example.com" } });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("forbidden_referer");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });

  it("a POSTed image is answered with the echo too", async () => {
    const response = await call("http://edge.test/bbox", LISTED, { method: "POST", body: await fixture("images/chelsea.png"), headers: { origin: "https://app.example.com" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });
});
