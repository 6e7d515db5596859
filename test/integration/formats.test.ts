/**
 * Output formats: negotiation by Accept, Vary and the cache key per format, explicit format
 * and quality honoured (answers decoded and compared with the PNG answer), bad values refused,
 * the pixel cap. AVIF and WebP come from jSquash's encoders; they are decoded here by jSquash's
 * decoders (test/support/formats.ts).
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, errorCode, fixture, get, post } from "../helpers";
import { channelMae, decodeAnswer, premultipliedMae } from "../support/formats";

const PHOTO = "images/two_dancers.jpg";
const BROWSER_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

async function answer(response: Response) {
  expect(response.status, response.status === 200 ? "" : await response.clone().text()).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, type: response.headers.get("content-type"), ...(await decodeAnswer(bytes, response.headers.get("content-type"))) };
}

describe("output formats", () => {
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
});
