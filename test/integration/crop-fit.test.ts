/**
 * `/crop` with image-CDN conventions: `fit=cover|contain|pad` for w×h thumbnails (`salient`
 * is cover's old name), `dpr` multiplying w and h, `bg` behind the object (`transparent=1`)
 * and around it (`fit=pad`). Expected pixels come from the product's other answers of the same
 * photo (its tight crop, its `/remove?bg=` cutout), not from the code under test.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { decode, fixture, mismatches, post, type Decoded } from "../helpers";

const PHOTO = "images/chelsea.png"; // 451×300, one cat
let photo: Uint8Array;

beforeAll(async () => {
  photo = await fixture(PHOTO);
});

async function crop(query: string): Promise<Decoded & { box: number[] }> {
  const response = await post(`/crop?format=png&${query}`, photo);
  if (response.status !== 200) expect.fail(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const box = (response.headers.get("x-crop-box") ?? "").split(",").map(Number);
  return { ...decode(new Uint8Array(await response.arrayBuffer())), box };
}

/** The rectangle of `image` at (x, y) of size w×h, as packed RGBA. */
function region(image: Decoded, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let row = 0; row < h; row++) out.set(image.rgba.subarray(((y + row) * image.width + x) * 4, ((y + row) * image.width + x + w) * 4), row * w * 4);
  return out;
}

const pixelAt = (image: Decoded, x: number, y: number) => Array.from(image.rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe("fit", () => {
  it("cover is the default, and salient its other name", async () => {
    const plain = await crop("w=200&h=120");
    const cover = await crop("w=200&h=120&fit=cover");
    const salient = await crop("w=200&h=120&fit=salient");
    expect([cover.width, cover.height]).toEqual([200, 120]);
    expect(mismatches(plain.rgba, cover.rgba)).toBe(0);
    expect(mismatches(salient.rgba, cover.rgba)).toBe(0);
  });

  it("contain fits the object's box inside w×h, keeping its shape", async () => {
    const tight = await crop("");
    const [tw, th] = [tight.width, tight.height];
    const contained = await crop("w=200&h=200&fit=contain");
    expect(contained.box).toEqual(tight.box); // the source rectangle is the object's box, whole
    expect(Math.max(contained.width, contained.height)).toBe(200);
    expect(contained.width).toBeLessThanOrEqual(200);
    expect(contained.height).toBeLessThanOrEqual(200);
    expect(Math.abs(contained.width / contained.height - tw / th)).toBeLessThan(0.02);
  });

  it("pad is contain centred on exactly w×h, the rest white (or bg=)", async () => {
    const contained = await crop("w=240&h=240&fit=contain");
    const padded = await crop("w=240&h=240&fit=pad");
    expect([padded.width, padded.height]).toEqual([240, 240]);
    const left = Math.floor((240 - contained.width) / 2);
    const top = Math.floor((240 - contained.height) / 2);
    expect(left + top).toBeGreaterThan(0); // the cat is not square: there is padding
    expect(mismatches(region(padded, left, top, contained.width, contained.height), contained.rgba)).toBe(0);
    expect(pixelAt(padded, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(padded, 239, 239)).toEqual([255, 255, 255, 255]);

    const red = await crop("w=240&h=240&fit=pad&bg=ff0000");
    expect(pixelAt(red, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(mismatches(region(red, left, top, contained.width, contained.height), contained.rgba)).toBe(0);
  });

  it("pad with transparent=1 pads with transparency", async () => {
    const padded = await crop("w=240&h=240&fit=pad&transparent=1");
    expect(pixelAt(padded, 0, 0)[3]).toBe(0);
    expect(pixelAt(padded, 239, 239)[3]).toBe(0);
  });
});

describe("dpr", () => {
  it("dpr=2 is w and h doubled: the same pixels", async () => {
    const doubled = await crop("w=100&h=60&dpr=2");
    const plain = await crop("w=200&h=120");
    expect([doubled.width, doubled.height]).toEqual([200, 120]);
    expect(doubled.box).toEqual(plain.box);
    expect(mismatches(doubled.rgba, plain.rgba)).toBe(0);
  });

  it("dpr=1.5 rounds the product; it applies to pad's canvas too", async () => {
    const scaled = await crop("w=101&h=80&dpr=1.5&fit=pad");
    expect([scaled.width, scaled.height]).toEqual([152, 120]);
  });
});

describe("bg behind the object", () => {
  it("transparent=1&bg= is /remove?bg= cropped to the same box", async () => {
    const cropped = await crop("transparent=1&bg=00ff00");
    const response = await post("/remove?format=png&bg=00ff00", photo);
    const cutout = decode(new Uint8Array(await response.arrayBuffer()));
    const [x0, y0, x1, y1] = cropped.box;
    expect(mismatches(cropped.rgba, region(cutout, x0, y0, x1 - x0, y1 - y0))).toBe(0);
  });
});
