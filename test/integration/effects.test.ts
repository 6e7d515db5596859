/**
 * Every effect and parameter on real fixture photos, through the real workers. Expected values
 * come from the photo, its `/mask` and independent measures (test/metrics.ts), not from the
 * product's own composition code.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, channel, decode, errorCode, fixture, get, mismatches, post, type Decoded } from "../helpers";
import { boundingBox, regions } from "../metrics";

const PHOTO = "images/chelsea.png"; // 451×300, one cat
let photo: Uint8Array;
let source: Decoded;
let mask: Uint8Array;

const png = async (response: Response) => {
  if (response.status !== 200) expect.fail(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return decode(new Uint8Array(await response.arrayBuffer()));
};
const pixel = (image: Decoded, i: number) => Array.from(image.rgba.subarray(i * 4, i * 4 + 4));

beforeAll(async () => {
  photo = await fixture(PHOTO);
  source = decode(photo);
  mask = channel((await png(await post("/mask", photo))).rgba, 0);
});

describe("/crop", () => {
  it("crops tight to the object's box", async () => {
    const box = boundingBox(mask, source.width)!;
    const response = await post("/crop", photo);
    const crop = await png(response);
    expect([crop.width, crop.height]).toEqual([box.x1 - box.x0, box.y1 - box.y0]);
    expect(response.headers.get("x-crop-box")).toBe(`${box.x0},${box.y0},${box.x1},${box.y1}`);
    // The crop shows the photo's own pixels at that place.
    const at = (box.y0 + 5) * source.width + box.x0 + 7;
    expect(pixel(crop, 5 * crop.width + 7)).toEqual(pixel(source, at));
  });

  it.each([
    ["margin=10px", (w: number) => 10 + 0 * w, "10px"],
    ["margin=10 (pixels)", () => 10, "10"],
  ])("%s grows every side, clamped to the photo", async (_name, grow, value) => {
    const box = boundingBox(mask, source.width)!;
    const crop = await png(await post(`/crop?margin=${value}`, photo));
    const g = grow(0);
    const expected = [Math.min(source.width, box.x1 + g) - Math.max(0, box.x0 - g), Math.min(source.height, box.y1 + g) - Math.max(0, box.y0 - g)];
    expect([crop.width, crop.height]).toEqual(expected);
  });

  it("margin=10% grows by a tenth of the box on each side", async () => {
    const box = boundingBox(mask, source.width)!;
    const [w, h] = [box.x1 - box.x0, box.y1 - box.y0];
    const crop = await png(await post("/crop?margin=10%25", photo));
    const expectW = Math.min(source.width, box.x1 + 0.1 * w) - Math.max(0, box.x0 - 0.1 * w);
    const expectH = Math.min(source.height, box.y1 + 0.1 * h) - Math.max(0, box.y0 - 0.1 * h);
    expect(Math.abs(crop.width - expectW)).toBeLessThanOrEqual(2);
    expect(Math.abs(crop.height - expectH)).toBeLessThanOrEqual(2);
  });

  it("transparent=1 keeps only the object", async () => {
    const box = boundingBox(mask, source.width)!;
    const crop = await png(await post("/crop?transparent=1", photo));
    for (const [x, y] of [[0, 0], [crop.width - 1, crop.height - 1], [Math.floor(crop.width / 2), Math.floor(crop.height / 2)]]) {
      expect(crop.rgba[(y * crop.width + x) * 4 + 3]).toBe(mask[(box.y0 + y) * source.width + box.x0 + x]);
    }
  });

  it.each([[200, 200], [300, 100], [64, 256], [451, 300]])("w=%i&h=%i gives exactly that size, framed on the whole object", async (w, h) => {
    const box = boundingBox(mask, source.width)!;
    const response = await post(`/crop?w=${w}&h=${h}&fit=salient`, photo);
    const thumb = await png(response);
    expect([thumb.width, thumb.height]).toEqual([w, h]);
    const [x0, y0, x1, y1] = response.headers.get("x-crop-box")!.split(",").map(Number);
    expect(x0).toBeGreaterThanOrEqual(0);
    expect(y0).toBeGreaterThanOrEqual(0);
    expect(x1).toBeLessThanOrEqual(source.width);
    expect(y1).toBeLessThanOrEqual(source.height);
    expect(Math.abs((x1 - x0) / (y1 - y0) - w / h)).toBeLessThan(0.02 * (w / h) + 1 / (y1 - y0));
    // The object is whole when the photo allows a frame of that shape around it.
    const fits = (box.x1 - box.x0) / (box.y1 - box.y0) <= source.width / (box.y1 - box.y0) && (box.y1 - box.y0) * (w / h) <= source.width && (box.x1 - box.x0) * (h / w) <= source.height;
    if (fits) expect([x0 <= box.x0, y0 <= box.y0, x1 >= box.x1, y1 >= box.y1]).toEqual([true, true, true, true]);
  });
});

describe("/bbox", () => {
  it("answers the boxes of the mask's components, largest first", async () => {
    const file = "images/two_dancers.jpg";
    const image = await fixture(file);
    const { width, height, rgba } = await png(await post("/mask", image));
    const expected = regions(channel(rgba, 0), width, height).filter((r) => r.area >= 0.005 * width * height);
    const response = await post("/bbox", image);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { width: number; height: number; boxes: { x: number; y: number; width: number; height: number; area: number; confidence: number; normalized: { x: number; width: number } }[] };
    expect([body.width, body.height]).toEqual([width, height]);
    expect(body.boxes.map((b) => [b.x, b.y, b.x + b.width, b.y + b.height, b.area])).toEqual(expected.map((r) => [r.x0, r.y0, r.x1, r.y1, r.area]));
    for (const b of body.boxes) {
      expect(b.confidence).toBeGreaterThan(0.5);
      expect(b.confidence).toBeLessThanOrEqual(1);
      expect(b.normalized.x).toBeCloseTo(b.x / width, 3);
      expect(b.normalized.width).toBeCloseTo(b.width / width, 3);
    }
  });

  it("min_area=1 keeps no box; min_area=0 keeps every speck", async () => {
    const none = (await (await post("/bbox?min_area=1", photo)).json()) as { boxes: unknown[] };
    expect(none.boxes).toEqual([]);
    const all = (await (await post("/bbox?min_area=0", photo)).json()) as { boxes: unknown[] };
    expect(all.boxes.length).toBe(regions(mask, source.width, source.height).length);
  });

  it("format=png draws the boxes on the photo", async () => {
    const drawn = await png(await post("/bbox?format=png", photo));
    expect([drawn.width, drawn.height]).toEqual([source.width, source.height]);
    const box = regions(mask, source.width, source.height)[0];
    const onEdge = box.y0 * source.width + Math.floor((box.x0 + box.x1) / 2);
    const inside = Math.floor((box.y0 + box.y1) / 2) * source.width + Math.floor((box.x0 + box.x1) / 2);
    expect(pixel(drawn, onEdge)).not.toEqual(pixel(source, onEdge));
    expect(pixel(drawn, inside)).toEqual(pixel(source, inside));
  });
});

describe("/highlight", () => {
  const objectPixels = () => [...mask.keys()].filter((i) => mask[i] === 255);
  const backgroundPixels = () => [...mask.keys()].filter((i) => mask[i] === 0);

  it.each(["dim", "gray", "blur"])("style=%s leaves the object alone and changes the background", async (style) => {
    const out = await png(await post(`/highlight?style=${style}&strength=1`, photo));
    const object = objectPixels();
    expect(object.filter((i) => pixel(out, i).join() !== pixel(source, i).join()).length).toBe(0);
    const background = backgroundPixels();
    const changed = background.filter((i) => pixel(out, i).join() !== pixel(source, i).join()).length;
    expect(changed / background.length).toBeGreaterThan(0.5);
    if (style === "dim") expect(background.every((i) => out.rgba[i * 4] === 0 && out.rgba[i * 4 + 1] === 0)).toBe(true);
    if (style === "gray") expect(background.every((i) => out.rgba[i * 4] === out.rgba[i * 4 + 1] && out.rgba[i * 4 + 1] === out.rgba[i * 4 + 2])).toBe(true);
  });

  it("strength=0 changes nothing", async () => {
    const out = await png(await post("/highlight?strength=0", photo));
    expect(mismatches(out.rgba, source.rgba)).toBe(0);
  });
});

describe("/remove backgrounds", () => {
  it("with threshold=, alpha is 0 outside the thresholded mask and 255 inside", async () => {
    const out = await png(await post("/remove?threshold=128", photo));
    expect(mismatches(channel(out.rgba, 3), mask.map((m) => (m >= 128 ? 255 : 0)))).toBe(0);
  });

  it("bg=<hex> puts the colour where the mask is 0 and the photo where it is 255", async () => {
    const out = await png(await post("/remove?bg=ff8000", photo));
    for (const i of [...mask.keys()].filter((j) => j % 7 === 0)) {
      if (mask[i] === 0) expect(pixel(out, i)).toEqual([255, 128, 0, 255]);
      if (mask[i] === 255) expect(pixel(out, i)).toEqual(pixel(source, i));
      expect(out.rgba[i * 4 + 3]).toBe(255);
    }
  });

  it("bg=blur keeps the object sharp and blurs the rest, opaque", async () => {
    const out = await png(await post("/remove?bg=blur", photo));
    const object = [...mask.keys()].filter((i) => mask[i] === 255);
    expect(object.filter((i) => pixel(out, i).join() !== pixel(source, i).join()).length).toBe(0);
    expect(channel(out.rgba, 3).every((a) => a === 255)).toBe(true);
    expect(mismatches(out.rgba, source.rgba)).toBeGreaterThan(mask.filter((m) => m === 0).length / 2);
  });

  it("bg_url= puts the object on another image", async () => {
    const out = await png(await post(`/remove?bg_url=${encodeURIComponent(`${ORIGIN}/images/coffee.png`)}`, photo));
    expect(channel(out.rgba, 3).every((a) => a === 255)).toBe(true);
    const object = [...mask.keys()].filter((i) => mask[i] === 255);
    expect(object.filter((i) => pixel(out, i).join() !== pixel(source, i).join()).length).toBe(0);
    const background = [...mask.keys()].filter((i) => mask[i] === 0);
    expect(background.filter((i) => pixel(out, i).join() !== pixel(source, i).join()).length / background.length).toBeGreaterThan(0.9);
  });

  it("shadow=1 darkens some background beside the object on a cutout", async () => {
    const plain = await png(await post("/remove", photo));
    const shadowed = await png(await post("/remove?shadow=1", photo));
    const background = [...mask.keys()].filter((i) => mask[i] === 0);
    expect(background.every((i) => plain.rgba[i * 4 + 3] === 0)).toBe(true);
    expect(background.filter((i) => shadowed.rgba[i * 4 + 3] > 0).length).toBeGreaterThan(100);
  });
});

describe("output", () => {
  it("format=jpeg works with a filled background and is refused on transparency", async () => {
    const jpeg = await post("/remove?bg=ffffff&format=jpeg", photo);
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    expect((await png(jpeg)).width).toBe(source.width);
    const refused = await post("/remove?format=jpeg", photo);
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe("invalid_parameter");
  });

  it("format=webp&quality=100 is lossless: same pixels as the PNG (lossy WebP: test/integration/formats.test.ts)", async () => {
    // One answer at a time: an answer holds the pipeline until it is read.
    const webp = await post("/remove?format=webp&quality=100", photo);
    expect(webp.headers.get("content-type")).toBe("image/webp");
    const fromWebp = await png(webp);
    const fromPng = await png(await post("/remove", photo));
    // Fully transparent pixels may carry any colour; compare alpha and visible pixels.
    expect(mismatches(channel(fromWebp.rgba, 3), channel(fromPng.rgba, 3))).toBe(0);
  });

  it("Accept: image/webp without AVIF gets WebP when no format is given", async () => {
    const response = await post("/mask", photo, { accept: "image/webp,*/*" });
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("vary")).toContain("accept");
    await response.arrayBuffer();
  });

  it("max_side scales the answer down", async () => {
    const out = await png(await post("/remove?max_side=200", photo));
    expect([out.width, out.height]).toEqual([200, Math.round((300 * 200) / 451)]);
  });
});

describe("mask post-processing (all endpoints)", () => {
  it("threshold makes the mask binary at that level", async () => {
    const out = channel((await png(await post("/mask?threshold=128", photo))).rgba, 0);
    expect(mismatches(out, mask.map((m) => (m >= 128 ? 255 : 0)))).toBe(0);
  });

  it("feather softens a hard edge", async () => {
    const hard = channel((await png(await post("/mask?threshold=128", photo))).rgba, 0);
    const soft = channel((await png(await post("/mask?threshold=128&feather=4", photo))).rgba, 0);
    const between = (m: Uint8Array) => m.filter((v) => v > 0 && v < 255).length;
    expect(between(hard)).toBe(0);
    expect(between(soft)).toBeGreaterThan(1000);
  });

  it("cleanup leaves no more regions than before and keeps the largest", async () => {
    const image = await fixture("images/two_dancers.jpg");
    const before = await png(await post("/mask", image));
    const after = await png(await post("/mask?cleanup=1", image));
    const r0 = regions(channel(before.rgba, 0), before.width, before.height);
    const r1 = regions(channel(after.rgba, 0), after.width, after.height);
    expect(r1.length).toBeLessThanOrEqual(r0.length);
    expect(r1[0].area).toBeGreaterThanOrEqual(r0[0].area);
  });

  it("refine=1 changes the mask only near the object's edge", async () => {
    const refined = channel((await png(await post("/mask?refine=1", photo))).rgba, 0);
    expect(mismatches(refined, mask)).toBeGreaterThan(0);
    const box = boundingBox(mask, source.width, 1)!;
    // Far outside the object's box (beyond the filter's reach), nothing moves.
    for (let i = 0; i < mask.length; i++) {
      const x = i % source.width;
      const y = (i - x) / source.width;
      if (x < box.x0 - 40 || y < box.y0 - 40 || x > box.x1 + 40 || y > box.y1 + 40) expect(refined[i]).toBe(mask[i]);
    }
  });
});

describe("bad parameters → 400 invalid_parameter, before the image is fetched", () => {
  it.each([
    "/mask?threshold=300", "/mask?threshold=abc", "/mask?feather=-1", "/mask?feather=99", "/mask?cleanup=maybe", "/mask?refine=2",
    "/mask?format=gif", "/mask?max_side=0", "/mask?max_side=1.5", "/remove?bg=zzz", "/remove?bg=12345",
    `/remove?bg=fff&bg_url=${ORIGIN}/images/coffee.png`, "/crop?margin=abc", "/crop?margin=200%25", "/crop?w=0&h=10",
    "/crop?w=100", "/crop?w=100&h=99999", "/crop?fit=stretch", "/crop?dpr=0", "/crop?dpr=3.5", "/crop?dpr=two",
    "/crop?w=1500&h=100&dpr=2", "/crop?fit=pad&w=10&h=10&bg=nope", "/highlight?style=sepia", "/highlight?strength=2",
    "/bbox?min_area=5", "/remove?shadow=please",
  ])("%s", async (path) => {
    // The source would answer 500: a 400 proves the parameters were checked first.
    const response = await get(`${path}${path.includes("?") ? "&" : "?"}url=${ORIGIN}/status/500`);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("invalid_parameter");
  });
});
