/**
 * Output formats: negotiation by Accept, Vary and the cache key per format, explicit format
 * and quality honoured (answers decoded and compared with the PNG answer), bad values refused,
 * the pixel cap. AVIF and WebP come from jSquash's encoders; they are decoded here by jSquash's
 * decoders (test/support/formats.ts).
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, errorCode, fixture, get, inferences, post } from "../helpers";
import { channelMae, decodeAnswer, premultipliedMae } from "../support/formats";

const PHOTO = "images/two_dancers.jpg";
/** What Chromium sends for <img>. */
const BROWSER_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

async function answer(response: Response) {
  expect(response.status, response.status === 200 ? "" : await response.clone().text()).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get("content-type");
  return { bytes, type, vary: response.headers.get("vary"), ...(await decodeAnswer(bytes, type)) };
}

describe("output formats", () => {
  // First: later tests leave both encoders' memories grown (they never shrink), which the plan counts.
  it("over the 1 MP cap: a negotiated AVIF becomes PNG, an explicit one is 413, max_side brings it under", async () => {
    const large = `${ORIGIN}/large/2000x1000.jpg`;
    // Sizes read from the PNG header: decoding it here would grow photon's memory, which this
    // isolate's worker shares and its memory plan counts.
    const negotiated = await get(`/remove?url=${large}`, { accept: BROWSER_ACCEPT });
    expect(negotiated.headers.get("content-type")).toBe("image/png");
    const header = new DataView((await negotiated.arrayBuffer()).slice(16, 24));
    expect([header.getUint32(0), header.getUint32(4)]).toEqual([2000, 1000]);
    for (const format of ["avif", "webp"]) {
      const explicit = await get(`/remove?format=${format}&url=${large}`);
      expect(explicit.status, format).toBe(413);
      expect(await errorCode(explicit)).toBe("image_too_large");
    }
    const shrunk = await answer(await get(`/remove?format=avif&max_side=1400&url=${large}`));
    expect(shrunk.type).toBe("image/avif");
    expect([shrunk.width, shrunk.height]).toEqual([1400, 700]);
  });

  it("explicit AVIF and WebP carry the PNG's alpha and colours within tolerance, at a fraction of its bytes", async () => {
    const photo = await fixture(PHOTO);
    const png = await answer(await post("/remove?format=png", photo));
    for (const format of ["avif", "webp"]) {
      const lossy = await answer(await post(`/remove?format=${format}`, photo));
      expect(lossy.type).toBe(`image/${format}`);
      expect([lossy.width, lossy.height]).toEqual([png.width, png.height]);
      expect(channelMae(lossy.rgba, png.rgba, 3), `${format} alpha`).toBeLessThan(3);
      expect(premultipliedMae(lossy.rgba, png.rgba), `${format} colour`).toBeLessThan(4);
      expect(lossy.bytes.length, `${format} bytes`).toBeLessThan(png.bytes.length * 0.25);
    }
  });

  it("quality is honoured: lower is smaller and further from the PNG; WebP at 100 is lossless", async () => {
    const photo = await fixture("images/chelsea.png");
    const png = await answer(await post("/remove?format=png", photo));
    for (const format of ["avif", "webp"]) {
      const low = await answer(await post(`/remove?format=${format}&quality=20`, photo));
      const high = await answer(await post(`/remove?format=${format}&quality=90`, photo));
      expect(low.bytes.length, format).toBeLessThan(high.bytes.length * 0.8);
      expect(premultipliedMae(low.rgba, png.rgba), format).toBeGreaterThan(premultipliedMae(high.rgba, png.rgba));
    }
    const lossless = await answer(await post("/remove?format=webp&quality=100", photo));
    expect(channelMae(lossless.rgba, png.rgba, 3)).toBe(0);
    expect(premultipliedMae(lossless.rgba, png.rgba)).toBe(0);
    // JPEG keeps its quality too (opaque results only).
    // One answer at a time: the pipeline holds each until it is read.
    const jpegLow = (await (await post("/remove?bg=ffffff&format=jpeg&quality=20", photo)).arrayBuffer()).byteLength;
    const jpegHigh = (await (await post("/remove?bg=ffffff&format=jpeg&quality=95", photo)).arrayBuffer()).byteLength;
    expect(jpegLow).toBeLessThan(jpegHigh / 2);
  });

  it("without format (or format=auto), Accept picks AVIF, then WebP, then PNG; never JPEG; Vary: Accept", async () => {
    const photo = await fixture("images/chelsea.png");
    const cases: [string, string | undefined, string][] = [
      ["/remove", BROWSER_ACCEPT, "image/avif"],
      ["/remove?format=auto", BROWSER_ACCEPT, "image/avif"],
      ["/remove", "image/webp,*/*", "image/webp"],
      ["/remove", "image/avif;q=0, image/webp", "image/webp"],
      ["/remove", "image/png", "image/png"],
      ["/remove", "*/*", "image/png"],
      ["/remove", undefined, "image/png"],
      ["/remove?bg=ffffff", "image/jpeg", "image/png"],
      ["/mask", BROWSER_ACCEPT, "image/avif"],
    ];
    for (const [path, accept, expected] of cases) {
      const response = await answer(await post(path, photo, accept ? { accept } : {}));
      expect(response.type, `${path} Accept: ${accept}`).toBe(expected);
      expect(response.vary?.toLowerCase()).toContain("accept");
      expect(response.width).toBe(451);
    }
  });

  it("the cache keeps one answer per negotiated format: each Accept has its own miss, then hit", async () => {
    const source = encodeURIComponent(`${ORIGIN}/images/chelsea.png?case=formats-cache`);
    const before = await inferences();
    const seen = new Map<string, string>();
    for (const round of ["miss", "hit"]) {
      for (const [accept, type] of [
        [BROWSER_ACCEPT, "image/avif"],
        ["image/webp,*/*", "image/webp"],
        ["image/png", "image/png"],
      ]) {
        const response = await get(`/remove?url=${source}`, { accept });
        expect(response.headers.get("x-cache"), `${round} ${accept}`).toBe(round);
        expect(response.headers.get("content-type")).toBe(type);
        expect(response.headers.get("vary")?.toLowerCase()).toContain("accept");
        const etag = response.headers.get("etag")!;
        if (round === "hit") expect(etag).toBe(seen.get(type));
        seen.set(type, etag);
        await decodeAnswer(new Uint8Array(await response.arrayBuffer()), type);
      }
    }
    expect(new Set(seen.values()).size).toBe(3);
    // One source, three answers: three model runs, none for the hits.
    expect((await inferences()) - before).toBe(3);
  });

  it("quality is part of the cache key", async () => {
    const source = encodeURIComponent(`${ORIGIN}/images/chelsea.png?case=formats-quality`);
    const first = await get(`/remove?format=webp&quality=30&url=${source}`);
    const second = await get(`/remove?format=webp&quality=90&url=${source}`);
    expect([first.headers.get("x-cache"), second.headers.get("x-cache")]).toEqual(["miss", "miss"]);
    expect((await first.arrayBuffer()).byteLength).toBeLessThan((await second.arrayBuffer()).byteLength);
  });

  it("bad format or quality is a 400 invalid_parameter before any fetch; quality=high still chooses the model", async () => {
    const photo = await fixture("images/chelsea.png");
    for (const query of ["format=gif", "format=jpg", "format=", "quality=0", "quality=101", "quality=50.5", "quality=-5", "quality=abc", "quality=1e2", "format=avif&quality=best"]) {
      const response = await get(`/remove?${query}&url=${ORIGIN}/images/chelsea.png`);
      if (query === "format=") {
        // An empty value is absent (as every parameter).
        expect(response.status).toBe(200);
        await response.body?.cancel();
        continue;
      }
      expect(response.status, query).toBe(400);
      expect(await errorCode(response), query).toBe("invalid_parameter");
    }
    const high = await post("/remove?quality=high&format=png", photo);
    expect(high.status).toBe(200);
    await high.body?.cancel();
    // JPEG with transparency stays a 400.
    const jpeg = await post("/remove?format=jpeg", photo);
    expect(jpeg.status).toBe(400);
    expect(await errorCode(jpeg)).toBe("invalid_parameter");
  });


});
