/**
 * Composition on synthetic photos: a red disc (the object) on a green/blue gradient, with a
 * mask that is 255 inside the disc, 128 on a ring around it and 0 beyond. The checks are
 * properties and known geometry, not numbers copied from the code.
 */
import { describe, expect, it } from "vitest";
import {
  type Box,
  type RgbaImage,
  blurBackground,
  cropImage,
  drawBoxes,
  dropShadow,
  fillBackground,
  fitBox,
  highlight,
  imageBackground,
  marginBox,
  objectBox,
  boxBlur,
  parseColor,
  resizeImage,
} from "../../core/compose";

const W = 96;
const H = 80;
const CX = 40;
const CY = 36;
const RADIUS = 18;

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The disc on a gradient; `noise` adds per-pixel texture to the background. */
function photo(noise = 0): RgbaImage {
  const rand = random(7);
  const pixels = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const inside = (x - CX) ** 2 + (y - CY) ** 2 <= RADIUS ** 2;
      const jitter = () => Math.round((rand() - 0.5) * noise);
      const clamp = (v: number) => Math.min(255, Math.max(0, v));
      if (inside) pixels.set([220, 20 + (x % 7), 30 + (y % 5), 255], p);
      else pixels.set([clamp(10 + jitter()), clamp(Math.round((x * 255) / W) + jitter()), clamp(Math.round((y * 255) / H) + jitter()), 255], p);
    }
  }
  return { width: W, height: H, pixels };
}

function discMask(): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - CX, y - CY);
      mask[y * W + x] = d <= RADIUS ? 255 : d <= RADIUS + 3 ? 128 : 0;
    }
  }
  return mask;
}

const pixel = (image: RgbaImage, x: number, y: number) => Array.from(image.pixels.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
const indicesWhere = (mask: Uint8Array, test: (m: number) => boolean) => [...mask.keys()].filter((i) => test(mask[i]));
const rgbAt = (pixels: Uint8Array, i: number) => [pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2]];

/** Texture: mean squared difference of R, G, B between each pixel `at` and its right neighbour. */
function roughness(pixels: Uint8Array, at: number[]): number {
  let total = 0;
  let n = 0;
  for (const i of at) {
    if (i % W === W - 1) continue;
    for (let c = 0; c < 3; c++) total += (pixels[i * 4 + c] - pixels[i * 4 + 4 + c]) ** 2;
    n += 3;
  }
  return total / n;
}

/** Background pixels at least `distance` from the disc's edge. */
const farBackground = (distance: number) =>
  [...Array(W * H).keys()].filter((i) => Math.hypot((i % W) - CX, Math.floor(i / W) - CY) > RADIUS + distance);

describe("parseColor", () => {
  it.each([
    ["#fff", [255, 255, 255, 255]],
    ["0f08", [0, 255, 0, 136]],
    ["#FF8000", [255, 128, 0, 255]],
    ["ff800080", [255, 128, 0, 128]],
    ["#aBcDeF12", [171, 205, 239, 18]],
  ])("reads %s", (text, rgba) => {
    expect(parseColor(text)).toEqual(rgba);
  });

  it.each(["", "#", "ff", "#12345", "1234567", "#123456789", "red", "rgb(1,2,3)", "#ggg", " fff", "fff ", "##fff"])("refuses %j", (text) => {
    expect(parseColor(text)).toBeNull();
  });
});

describe("boxBlur", () => {
  it("spreads a line like a Gaussian of the given sigma: symmetric, mass kept", () => {
    const [w, h, sigma] = [61, 9, 4];
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) data[y * w + 30] = 255;
    boxBlur(data, w, h, 1, sigma);
    const row = Array.from(data.subarray(4 * w, 5 * w)); // every row alike: columns stay uniform
    for (let y = 0; y < h; y++) expect(Array.from(data.subarray(y * w, (y + 1) * w))).toEqual(row);
    for (let d = 1; d < 30; d++) expect(Math.abs(row[30 - d] - row[30 + d])).toBeLessThanOrEqual(1);
    const mass = row.reduce((s, v) => s + v, 0);
    expect(Math.abs(mass - 255)).toBeLessThan(255 * 0.1);
    const spread = row.reduce((s, v, x) => s + v * (x - 30) ** 2, 0) / mass;
    expect(Math.abs(Math.sqrt(spread) - sigma)).toBeLessThan(sigma * 0.15);
    expect(row[30]).toBeLessThan(255 / (Math.sqrt(2 * Math.PI) * sigma) + 3); // about the Gaussian's peak
  });
});

describe("fillBackground", () => {
  const mask = discMask();

  it("shows the colour where the mask is 0, the photo where it is 255, and blends at 50%", () => {
    const original = photo();
    const image = photo();
    fillBackground(image, mask, [250, 240, 10, 255]);
    for (let i = 0; i < mask.length; i++) {
      const got = Array.from(image.pixels.subarray(i * 4, i * 4 + 4));
      const fg = rgbAt(original.pixels, i);
      if (mask[i] === 0) expect(got).toEqual([250, 240, 10, 255]);
      else if (mask[i] === 255) expect(got).toEqual([...fg, 255]);
      else {
        const expected = [250, 240, 10].map((bg, c) => (fg[c] * 128 + bg * 127) / 255);
        got.slice(0, 3).forEach((v, c) => expect(Math.abs(v - expected[c])).toBeLessThanOrEqual(1));
        expect(got[3]).toBe(255);
      }
    }
  });

  it("keeps a translucent colour translucent and its hue unchanged", () => {
    const original = photo();
    const image = photo();
    fillBackground(image, mask, [0, 0, 255, 64]);
    for (let i = 0; i < mask.length; i++) {
      const got = Array.from(image.pixels.subarray(i * 4, i * 4 + 4));
      if (mask[i] === 0) expect(got).toEqual([0, 0, 255, 64]);
      if (mask[i] === 255) expect(got).toEqual([...rgbAt(original.pixels, i), 255]);
      if (mask[i] === 128) {
        // alpha = a + α(1 − a) with a = 64/255, α = 128/255
        expect(Math.abs(got[3] - (64 + (128 * (255 - 64)) / 255))).toBeLessThanOrEqual(1);
        // The photo's share of the colour is α / alpha, more than the plain mask share.
        const share = 128 / (64 + (128 * (255 - 64)) / 255);
        expect(Math.abs(got[0] - original.pixels[i * 4] * share)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe("imageBackground", () => {
  /** 40 × 20, four 20 × 10 quadrants: red, green / blue, white. */
  function quadrants(): RgbaImage {
    const [w, h] = [40, 20];
    const pixels = new Uint8Array(w * h * 4);
    const colors = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.set([...colors[(y < 10 ? 0 : 2) + (x < 20 ? 0 : 1)], 128], (y * w + x) * 4);
    return { width: w, height: h, pixels };
  }

  it("covers a square photo with a wide image, centre-cropped, opaque", () => {
    // Cover scales 40 × 20 to 60 × 30 and crops 15 columns off each side: the corners keep
    // their quadrant's colour and the vertical split stays in the middle.
    const image = { width: 30, height: 30, pixels: new Uint8Array(30 * 30 * 4).fill(77) };
    imageBackground(image, new Uint8Array(30 * 30), quadrants());
    expect(pixel(image, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 29, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(image, 0, 29)).toEqual([0, 0, 255, 255]);
    expect(pixel(image, 29, 29)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 12, 3)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 17, 3)).toEqual([0, 255, 0, 255]);
    for (let a = 3; a < image.pixels.length; a += 4) expect(image.pixels[a]).toBe(255);
  });

  it("covers a wide photo with a tall image, and keeps the object", () => {
    const original = photo();
    const image = photo();
    const mask = discMask();
    const tall = { width: 20, height: 60, pixels: new Uint8Array(20 * 60 * 4) };
    for (let y = 0; y < 60; y++) for (let x = 0; x < 20; x++) tall.pixels.set(y < 30 ? [0, 0, 0, 255] : [255, 255, 0, 255], (y * 20 + x) * 4);
    imageBackground(image, mask, tall);
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(image, W - 1, H - 1)).toEqual([255, 255, 0, 255]);
    for (const i of indicesWhere(mask, (m) => m === 255)) expect(rgbAt(image.pixels, i)).toEqual(rgbAt(original.pixels, i));
    for (let a = 3; a < image.pixels.length; a += 4) expect(image.pixels[a]).toBe(255);
  });
});

describe("blurBackground", () => {
  it("keeps the object sharp, smooths the background, and is opaque", () => {
    const original = photo(120);
    const image = photo(120);
    const mask = discMask();
    blurBackground(image, mask, 3);
    for (const i of indicesWhere(mask, (m) => m === 255)) expect(rgbAt(image.pixels, i)).toEqual(rgbAt(original.pixels, i));
    const far = farBackground(4);
    expect(roughness(image.pixels, far)).toBeLessThan(roughness(original.pixels, far) / 4);
    for (let a = 3; a < image.pixels.length; a += 4) expect(image.pixels[a]).toBe(255);
  });

  it("does not bleed the object's red into the background around it", () => {
    const image = photo();
    const mask = discMask();
    blurBackground(image, mask, 6);
    // Just outside the ring, the background's red stays near its own 10, not the disc's 220.
    for (const i of farBackground(3).filter((i) => Math.hypot((i % W) - CX, Math.floor(i / W) - CY) < RADIUS + 6)) {
      expect(image.pixels[i * 4]).toBeLessThan(40);
    }
  });
});

describe("dropShadow", () => {
  it("darkens only the background next to the object, in the offset direction", () => {
    const mask = new Uint8Array(W * H);
    for (let y = 30; y < 50; y++) mask.fill(255, y * W + 40, y * W + 60);
    const image = { width: W, height: H, pixels: new Uint8Array(W * H * 4).fill(255) };
    for (let y = 30; y < 50; y++) for (let x = 40; x < 60; x++) image.pixels.set([200, 30, 30, 255], (y * W + x) * 4);
    dropShadow(image, mask, { dx: 4, dy: 4, blur: 1.5, opacity: 0.5 });
    const luma = (x: number, y: number) => pixel(image, x, y)[1];
    expect(luma(61, 52)).toBeLessThan(200); // below-right of the object: in the shadow
    expect(luma(50, 51)).toBeLessThan(200);
    expect(luma(38, 28)).toBe(255); // above-left: no shadow
    expect(luma(50, 28)).toBe(255);
    expect(luma(5, 5)).toBe(255); // far away
    expect(luma(90, 75)).toBe(255);
    for (let y = 30; y < 50; y++) for (let x = 40; x < 60; x++) expect(pixel(image, x, y)).toEqual([200, 30, 30, 255]);
    for (let a = 3; a < image.pixels.length; a += 4) expect(image.pixels[a]).toBe(255);
  });

  it("adds translucent black on a transparent background, and defaults to a shadow", () => {
    const mask = new Uint8Array(W * H);
    for (let y = 30; y < 50; y++) mask.fill(255, y * W + 40, y * W + 60);
    const image = { width: W, height: H, pixels: new Uint8Array(W * H * 4) };
    dropShadow(image, mask);
    const below = pixel(image, 52, 50);
    expect(below.slice(0, 3)).toEqual([0, 0, 0]);
    expect(below[3]).toBeGreaterThan(0);
    expect(pixel(image, 5, 5)[3]).toBe(0);
  });
});

describe("highlight", () => {
  const mask = discMask();
  const styles = ["dim", "gray", "blur"] as const;

  it.each(styles)("%s with strength 0 changes nothing", (style) => {
    const image = photo(60);
    highlight(image, mask, style, 0);
    expect(image.pixels).toEqual(photo(60).pixels);
  });

  it.each(styles)("%s changes only the background", (style) => {
    const original = photo(60);
    const image = photo(60);
    highlight(image, mask, style, 1);
    for (const i of indicesWhere(mask, (m) => m === 255)) expect(rgbAt(image.pixels, i)).toEqual(rgbAt(original.pixels, i));
    const background = indicesWhere(mask, (m) => m === 0);
    expect(background.filter((i) => rgbAt(image.pixels, i).join() !== rgbAt(original.pixels, i).join()).length).toBeGreaterThan(background.length / 2);
    for (let a = 3; a < image.pixels.length; a += 4) expect(image.pixels[a]).toBe(255);
  });

  it("dims toward black, grays toward the luminance, blurs toward smooth", () => {
    const background = indicesWhere(mask, (m) => m === 0);
    const original = photo(60);
    const dim = photo(60);
    highlight(dim, mask, "dim", 0.5);
    for (const i of background) rgbAt(dim.pixels, i).forEach((v, c) => expect(Math.abs(v - original.pixels[i * 4 + c] / 2)).toBeLessThanOrEqual(1));
    const gray = photo(60);
    highlight(gray, mask, "gray", 1);
    for (const i of background) {
      const [r, g, b] = rgbAt(gray.pixels, i);
      expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThanOrEqual(1);
    }
    const blur = photo(60);
    highlight(blur, mask, "blur", 1);
    const far = farBackground(4);
    expect(roughness(blur.pixels, far)).toBeLessThan(roughness(original.pixels, far) / 4);
  });
});

describe("drawBoxes", () => {
  it("colours the outline, not the inside or the outside", () => {
    const image = { width: 50, height: 40, pixels: new Uint8Array(50 * 40 * 4).fill(100) };
    const box = { x0: 10, y0: 5, x1: 30, y1: 25 };
    drawBoxes(image, [box], { color: [0, 255, 0, 255], thickness: 2 });
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 50; x++) {
        const inBox = x >= 10 && x < 30 && y >= 5 && y < 25;
        const inside = x >= 12 && x < 28 && y >= 7 && y < 23;
        expect(pixel(image, x, y)).toEqual(inBox && !inside ? [0, 255, 0, 255] : [100, 100, 100, 100]);
      }
    }
  });

  it("clips to the image and draws a default outline", () => {
    const image = { width: 50, height: 40, pixels: new Uint8Array(50 * 40 * 4).fill(255) };
    drawBoxes(image, [{ x0: -10, y0: 20, x1: 30, y1: 60 }]);
    // Only the top and right sides are inside the image; the default is at least 2 px.
    expect(pixel(image, 0, 20)).not.toEqual([255, 255, 255, 255]);
    expect(pixel(image, 0, 21)).not.toEqual([255, 255, 255, 255]);
    expect(pixel(image, 29, 39)).not.toEqual([255, 255, 255, 255]);
    expect(pixel(image, 10, 30)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 0, 39)).toEqual([255, 255, 255, 255]);
  });

  it("blends a translucent colour evenly, corners included", () => {
    const image = { width: 20, height: 20, pixels: new Uint8Array(20 * 20 * 4).fill(255) };
    drawBoxes(image, [{ x0: 2, y0: 2, x1: 18, y1: 18 }], { color: [0, 0, 0, 128], thickness: 3 });
    expect(pixel(image, 2, 2)).toEqual(pixel(image, 10, 3));
    expect(pixel(image, 17, 17)).toEqual(pixel(image, 16, 10));
    expect(pixel(image, 2, 2)[0]).toBeGreaterThan(100);
    expect(pixel(image, 2, 2)[0]).toBeLessThan(155);
  });
});

describe("framing", () => {
  it("objectBox is the exact rectangle, honours the level, and is null when empty", () => {
    const mask = new Uint8Array(W * H);
    for (let y = 11; y < 47; y++) mask.fill(200, y * W + 23, y * W + 70);
    mask[60 * W + 5] = 100; // below the default level
    expect(objectBox(mask, W, H)).toEqual({ x0: 23, y0: 11, x1: 70, y1: 47 });
    expect(objectBox(mask, W, H, 50)).toEqual({ x0: 5, y0: 11, x1: 70, y1: 61 });
    expect(objectBox(new Uint8Array(W * H), W, H)).toBeNull();
    const corners = new Uint8Array(W * H);
    corners[0] = corners[W * H - 1] = 255;
    expect(objectBox(corners, W, H)).toEqual({ x0: 0, y0: 0, x1: W, y1: H });
  });

  it("objectBox finds the disc's box", () => {
    expect(objectBox(discMask(), W, H, 255)).toEqual({ x0: CX - RADIUS, y0: CY - RADIUS, x1: CX + RADIUS + 1, y1: CY + RADIUS + 1 });
  });

  it("marginBox grows by pixels or by percent of the box, clamped to the image", () => {
    const box = { x0: 20, y0: 30, x1: 60, y1: 50 };
    expect(marginBox(box, 100, 100, { px: 5 })).toEqual({ x0: 15, y0: 25, x1: 65, y1: 55 });
    expect(marginBox(box, 100, 100, { percent: 10 })).toEqual({ x0: 16, y0: 28, x1: 64, y1: 52 });
    expect(marginBox(box, 62, 51, { px: 25 })).toEqual({ x0: 0, y0: 5, x1: 62, y1: 51 });
  });

  const contains = (outer: Box, inner: Box) => outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1;

  it("fitBox has the aspect, holds the box, stays inside, centred when free", () => {
    const rand = random(42);
    const int = (n: number) => Math.floor(rand() * n);
    for (let run = 0; run < 2000; run++) {
      const width = 1 + int(400);
      const height = 1 + int(400);
      const x0 = int(width);
      const y0 = int(height);
      const box = { x0, y0, x1: x0 + 1 + int(width - x0), y1: y0 + 1 + int(height - y0) };
      const [tw, th] = [1 + int(500), 1 + int(500)];
      const rect = fitBox(box, width, height, tw, th);
      const [w, h] = [rect.x1 - rect.x0, rect.y1 - rect.y0];
      expect(Number.isInteger(rect.x0) && Number.isInteger(rect.y0) && Number.isInteger(rect.x1) && Number.isInteger(rect.y1)).toBe(true);
      expect(rect.x0 >= 0 && rect.y0 >= 0 && rect.x1 <= width && rect.y1 <= height && w >= 1 && h >= 1).toBe(true);
      // Aspect: one side fixed by the other up to a pixel's rounding.
      expect(Math.min(Math.abs(h - (w * th) / tw), Math.abs(w - (h * tw) / th))).toBeLessThanOrEqual(1);
      // The box fits when a rectangle of that aspect holding it fits in the image.
      const needW = Math.max(box.x1 - box.x0, ((box.y1 - box.y0) * tw) / th);
      const fits = needW <= width && (needW * th) / tw <= height;
      if (fits) expect(contains(rect, box)).toBe(true);
      else expect(w === width || h === height).toBe(true); // the largest the image allows
      // Centred on the box unless an edge pushed it.
      const freeX = rect.x0 > 0 && rect.x1 < width;
      const freeY = rect.y0 > 0 && rect.y1 < height;
      if (freeX) expect(Math.abs((rect.x0 + rect.x1) / 2 - (box.x0 + box.x1) / 2)).toBeLessThanOrEqual(0.5);
      if (freeY) expect(Math.abs((rect.y0 + rect.y1) / 2 - (box.y0 + box.y1) / 2)).toBeLessThanOrEqual(0.5);
    }
  });

  it("fitBox on known cases", () => {
    // A 20 × 40 box for a square: 40 × 40 centred on it.
    expect(fitBox({ x0: 40, y0: 30, x1: 60, y1: 70 }, 200, 100, 1, 1)).toEqual({ x0: 30, y0: 30, x1: 70, y1: 70 });
    // Near the left edge: shifted right, not shrunk.
    expect(fitBox({ x0: 0, y0: 30, x1: 20, y1: 70 }, 200, 100, 1, 1)).toEqual({ x0: 0, y0: 30, x1: 40, y1: 70 });
    // A 16:9 frame of a 200 × 100 image is 177 × 100 at most, as centred on the box as it can be.
    expect(fitBox({ x0: 0, y0: 0, x1: 200, y1: 100 }, 200, 100, 16, 9)).toEqual({ x0: 11, y0: 0, x1: 189, y1: 100 });
  });

  it("cropImage copies the rectangle, clamped to the image", () => {
    const image = photo(30);
    const crop = cropImage(image, { x0: 10, y0: 20, x1: 35, y1: 27 });
    expect([crop.width, crop.height, crop.pixels.length]).toEqual([25, 7, 25 * 7 * 4]);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 25; x++) expect(pixel(crop, x, y)).toEqual(pixel(image, x + 10, y + 20));
    const edge = cropImage(image, { x0: W - 5, y0: -3, x1: W + 10, y1: 2 });
    expect([edge.width, edge.height]).toEqual([5, 2]);
    expect(pixel(edge, 4, 1)).toEqual(pixel(image, W - 1, 1));
  });

  it.each([
    [96, 80, 17, 13],
    [96, 80, 250, 211],
    [96, 80, 96, 33],
    [7, 5, 96, 1],
    [1, 1, 9, 4],
  ])("resizeImage %i×%i → %i×%i keeps a constant image constant", (w, h, tw, th) => {
    const image = { width: w, height: h, pixels: new Uint8Array(w * h * 4) };
    for (let p = 0; p < image.pixels.length; p += 4) image.pixels.set([201, 7, 99, 255], p);
    const out = resizeImage(image, tw, th);
    expect([out.width, out.height, out.pixels.length]).toEqual([tw, th, tw * th * 4]);
    let off = 0;
    for (let p = 0; p < out.pixels.length; p += 4) if (out.pixels.subarray(p, p + 4).join() !== "201,7,99,255") off++;
    expect(off).toBe(0);
  });

  it("resizeImage averages areas when shrinking and ignores transparent colour", () => {
    // Stripes one pixel wide average to grey when halved (no aliasing to one stripe).
    const stripes = { width: 64, height: 8, pixels: new Uint8Array(64 * 8 * 4) };
    for (let i = 0; i < 64 * 8; i++) stripes.pixels.set(i % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
    const half = resizeImage(stripes, 32, 4);
    for (let p = 0; p < half.pixels.length; p += 4) expect(Math.abs(half.pixels[p] - 127.5)).toBeLessThanOrEqual(0.5);
    // A cutout's transparent black does not darken its edge.
    const cutout = { width: 4, height: 4, pixels: new Uint8Array(4 * 4 * 4) };
    for (let y = 0; y < 4; y++) for (let x = 0; x < 2; x++) cutout.pixels.set([200, 100, 50, 255], (y * 4 + x) * 4);
    const small = resizeImage(cutout, 1, 1);
    expect(Array.from(small.pixels)).toEqual([200, 100, 50, 128]);
  });
});

describe("at 4 MP", () => {
  it("logs timings (no assertion on speed)", () => {
    const side = 2048;
    const n = side * side;
    const make = () => {
      const pixels = new Uint8Array(n * 4);
      for (let i = 0; i < n; i++) pixels.set([i & 255, (i >> 3) & 255, (i >> 11) & 255, 255], i * 4);
      return { width: side, height: side, pixels };
    };
    const mask = new Uint8Array(n);
    for (let y = 512; y < 1536; y++) mask.fill(255, y * side + 600, y * side + 1400);
    const times: Record<string, number> = {};
    const time = (name: string, run: (image: RgbaImage) => unknown) => {
      const image = make();
      const start = performance.now();
      run(image);
      times[name] = Math.round(performance.now() - start);
    };
    const bg = { width: 1600, height: 1200, pixels: new Uint8Array(1600 * 1200 * 4).fill(90) };
    time("fillBackground", (im) => fillBackground(im, mask, [255, 255, 255, 255]));
    time("imageBackground", (im) => imageBackground(im, mask, bg));
    time("blurBackground σ=40", (im) => blurBackground(im, mask, 40));
    time("dropShadow", (im) => dropShadow(im, mask));
    time("highlight dim", (im) => highlight(im, mask, "dim", 0.6));
    time("highlight gray", (im) => highlight(im, mask, "gray", 0.6));
    time("highlight blur", (im) => highlight(im, mask, "blur", 0.6));
    time("drawBoxes", (im) => drawBoxes(im, [{ x0: 600, y0: 512, x1: 1400, y1: 1536 }]));
    time("objectBox", () => objectBox(mask, side, side));
    time("resizeImage → 256²", (im) => resizeImage(im, 256, 256));
    time("resizeImage → 1000×700", (im) => resizeImage(im, 1000, 700));
    console.log("compose at 2048×2048 (ms):", JSON.stringify(times));
    expect(Object.keys(times).length).toBe(11);
  });
});
