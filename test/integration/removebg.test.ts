/**
 * `POST /v1.0/removebg`, remove.bg's API: the same pixels as `/remove` (or `/crop`, `/mask`)
 * for the same options, whichever way the image comes in (multipart file, base64 in JSON, URL
 * in a form or JSON); `size`, `channels`, `bg_color`, `crop`, `crop_margin`, `format`; the
 * `X-Width`/`X-Height` headers; remove.bg's error envelope with the right status; API keys.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../worker/front/index";
import { ORIGIN, decode, fixture, mismatches, post, type Decoded } from "../helpers";

const PHOTO = "images/chelsea.png"; // 451×300
const WIDE = "images/athlete-intake.jpg"; // 1200×628, 0.75 MP
const ENDPOINT = "/v1.0/removebg";
let photo: Uint8Array;

beforeAll(async () => {
  photo = await fixture(PHOTO);
});

const form = (fields: Record<string, string | Blob>) => {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
};
const file = (bytes: Uint8Array, name = "chelsea.png") => new File([bytes], name, { type: "image/png" });
const json = (fields: Record<string, unknown>) => post(ENDPOINT, JSON.stringify(fields), { "content-type": "application/json" });
const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

async function image(response: Response): Promise<Decoded & { type: string; headers: Headers }> {
  if (response.status !== 200) expect.fail(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const decoded = decode(new Uint8Array(await response.arrayBuffer()));
  // X-Width/X-Height name the answer's own size.
  expect([Number(response.headers.get("x-width")), Number(response.headers.get("x-height"))]).toEqual([decoded.width, decoded.height]);
  return { ...decoded, type: response.headers.get("content-type") ?? "", headers: response.headers };
}

/** remove.bg's envelope: `{"errors":[{"title","code"}]}`, and the status. */
async function expectEnvelope(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { errors?: { title?: string; code?: string }[] };
  expect(body.errors).toHaveLength(1);
  expect(typeof body.errors![0].title).toBe("string");
  expect(body.errors![0].code).toBe(code);
}

function expectSamePixels(a: Decoded, b: Decoded) {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  expect(mismatches(a.rgba, b.rgba)).toBe(0);
}

describe("the same pixels as the product's endpoints", () => {
  it("image_file (multipart) = /remove", async () => {
    const ours = await image(await post(ENDPOINT, form({ image_file: file(photo), format: "png" })));
    expect(ours.type).toBe("image/png");
    expect(ours.headers.get("content-disposition")).toBe('inline; filename="chelsea-removebg.png"');
    expectSamePixels(ours, await image(await post("/remove?format=png", photo)));
  });

  it("bg_color = /remove?bg=; format=auto gives JPEG when nothing is transparent", async () => {
    const ours = await image(await post(ENDPOINT, form({ image_file: file(photo), bg_color: "81d4fa", format: "png" })));
    expectSamePixels(ours, await image(await post("/remove?format=png&bg=81d4fa", photo)));
    const auto = await post(ENDPOINT, form({ image_file: file(photo), bg_color: "81d4fa" }));
    expect(auto.headers.get("content-type")).toBe("image/jpeg");
    await auto.body?.cancel();
  });

  it("image_file_b64 in JSON = /remove; format=auto with transparency is PNG", async () => {
    const ours = await image(await json({ image_file_b64: base64(photo), size: "full", type: "animal" }));
    expect(ours.type).toBe("image/png");
    expectSamePixels(ours, await image(await post("/remove?format=png", photo)));
  });

  it("image_url in an urlencoded form and in JSON = /remove?url=", async () => {
    const url = `${ORIGIN}/images/chelsea.png`;
    const reference = await image(await post("/remove?format=png", photo));
    const urlencoded = await post(ENDPOINT, new URLSearchParams({ image_url: url, format: "png" }), { "content-type": "application/x-www-form-urlencoded" });
    const fromForm = await image(urlencoded);
    expect(fromForm.headers.get("content-disposition")).toBe('inline; filename="chelsea-removebg.png"');
    expectSamePixels(fromForm, reference);
    expectSamePixels(await image(await json({ image_url: url, format: "png" })), reference);
  });

  it("channels=alpha = /mask", async () => {
    const ours = await image(await post(ENDPOINT, form({ image_file: file(photo), channels: "alpha" })));
    expectSamePixels(ours, await image(await post("/mask?format=png", photo)));
  });

  it("crop=true with crop_margin = /crop?transparent=1&margin=", async () => {
    const ours = await image(await post(ENDPOINT, form({ image_file: file(photo), crop: "true", crop_margin: "10px", format: "png" })));
    const reference = await post("/crop?transparent=1&margin=10px&format=png", photo);
    expect(ours.headers.get("x-crop-box")).toBe(reference.headers.get("x-crop-box"));
    expectSamePixels(ours, await image(reference));
    expect(ours.width).toBeLessThan(451);
  });

  it("crop=true with bg_color: the object cropped on that colour", async () => {
    const ours = await image(await post(ENDPOINT, form({ image_file: file(photo), crop: "1", bg_color: "00ff00", format: "png" })));
    const reference = await image(await post("/crop?transparent=1&bg=00ff00&format=png", photo));
    expectSamePixels(ours, reference);
    // Opaque everywhere, and the colour where the object is not (the crop's corner is background here).
    expect(ours.rgba.filter((_v, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it("size=preview brings a 0.75 MP photo to about 0.25 MP, as /remove?max_side does", async () => {
    const wide = await fixture(WIDE);
    const ours = await image(await post(ENDPOINT, form({ image_file: new File([wide], "athlete.jpg"), size: "preview", format: "png" })));
    expect(ours.width * ours.height).toBeGreaterThan(240_000);
    expect(ours.width * ours.height).toBeLessThanOrEqual(252_500);
    expect(Math.abs(ours.width / ours.height - 1200 / 628)).toBeLessThan(0.01);
    expectSamePixels(ours, await image(await post(`/remove?format=png&max_side=${ours.width}`, wide)));
  });

  it("a 12 MP PNG (8.5 MB) as base64 JSON, the heaviest way in, is answered at preview size", async () => {
    const big = await fixture("large/4032x3024.png");
    const ours = await image(await json({ image_file_b64: base64(big), size: "preview", format: "png" }));
    expect(ours.width * ours.height).toBeLessThanOrEqual(252_500);
    expect(Math.abs(ours.width / ours.height - 4032 / 3024)).toBeLessThan(0.01);
  });

  it("size=preview leaves a photo under 0.25 MP as it is", async () => {
    const ours = await image(await json({ image_file_b64: base64(photo), size: "preview", format: "png" }));
    expect([ours.width, ours.height]).toEqual([451, 300]);
  });
});

describe("errors in remove.bg's envelope", () => {
  it.each([
    ["no image", () => json({ size: "full" }), 400, "missing_image"],
    ["two images", () => json({ image_file_b64: "AAAA", image_url: `${ORIGIN}/images/chelsea.png` }), 400, "invalid_parameter"],
    ["a bad size", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, size: "huge" }), 400, "invalid_parameter"],
    ["a bad format", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, format: "gif" }), 400, "invalid_parameter"],
    ["a bad channels", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, channels: "rgb" }), 400, "invalid_parameter"],
    ["a bad bg_color", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, bg_color: "green!" }), 400, "invalid_parameter"],
    ["a bad crop_margin", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, crop: true, crop_margin: "lots" }), 400, "invalid_parameter"],
    ["crop_margin without crop", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, crop_margin: "10px" }), 400, "invalid_parameter"],
    ["an unsupported field", () => json({ image_url: `${ORIGIN}/images/chelsea.png`, scale: "50%" }), 400, "invalid_parameter"],
    ["base64 that is not", () => json({ image_file_b64: "not base64!" }), 400, "invalid_parameter"],
    ["JSON that does not parse", () => post(ENDPOINT, "{", { "content-type": "application/json" }), 400, "invalid_parameter"],
    ["a body type it does not read", () => post(ENDPOINT, "image", { "content-type": "text/plain" }), 415, "unsupported_media_type"],
    ["bytes that are no image", () => json({ image_file_b64: base64(new TextEncoder().encode("hello, not an image")) }), 415, "unsupported_media_type"],
    ["a forbidden image_url", () => json({ image_url: "http://169.254.169.254/latest/meta-data" }), 403, "forbidden_host"],
    ["an image_url that is not http", () => json({ image_url: "file:///etc/passwd" }), 400, "invalid_url"],
    ["a GET", () => fetchGet(), 405, "method_not_allowed"],
  ])("%s", async (_name, send, status, code) => {
    const response = await send();
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    await expectEnvelope(response, status, code);
  });

  it("a truncated image is a 422", async () => {
    await expectEnvelope(await post(ENDPOINT, form({ image_file: file(photo.subarray(0, 2000)) })), 422, "undecodable_image");
  });
});

function fetchGet(): Promise<Response> {
  return Promise.resolve(worker.fetch(new Request(`http://edge.test${ENDPOINT}`), env as Env, createExecutionContext()));
}

describe("API keys", () => {
  const vars = { API_KEYS: "removebg-key-0123456789", SIGNING_KEY: "signing-key-0123" };
  const call = (key?: string) =>
    worker.fetch(
      new Request(`http://edge.test${ENDPOINT}`, { method: "POST", body: form({ image_file: file(photo), format: "png" }), headers: key ? { "x-api-key": key } : {} }),
      { ...env, ...vars } as Env,
      createExecutionContext(),
    );

  it("a listed X-Api-Key is served without sig=; a wrong one is a 401 in the envelope", async () => {
    const ours = await image(await call("removebg-key-0123456789"));
    expect([ours.width, ours.height]).toEqual([451, 300]);
    await expectEnvelope(await call("wrong-key"), 401, "invalid_api_key");
    await expectEnvelope(await call(), 403, "invalid_signature");
  });
});
