/**
 * Photos the size cameras make, through the running product: the mask of a 12–48 MP photo
 * must agree with the mask of the same photo sent small (the model sees the same picture), and
 * answers come back at full resolution. Large files are made on demand in Node by the test
 * origin (test/origin/large.ts) from a real fixture photo; two real 5K photos come from
 * Debian's plasma-workspace-wallpapers where it is installed (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, get } from "../helpers";
import { iou, readAnswer, shrinkMask } from "../support/answer";

const CAMERA = [
  ["4032x3024.jpg", 4032, 3024], // 12 MP phone photo
  ["6000x4000-progressive.jpg", 6000, 4000], // 24 MP progressive
  ["8000x6000.jpg", 8000, 6000], // 48 MP
  ["4032x3024.png", 4032, 3024], // 12 MP PNG
  ["2400x1600-16bit.png", 2400, 1600], // 16-bit PNG
] as const;

/** The same photo small: what the model sees barely changes, so neither should the mask. */
async function smallMask(url: string, width: number, height: number): Promise<Uint8Array> {
  const small = await readAnswer(await get(`/mask?max_side=800&url=${url}`));
  return shrinkMask(small, Math.round(width / 16), Math.round(height / 16));
}

describe("camera-sized photos", { timeout: 600_000 }, () => {
  for (const [name, width, height] of CAMERA) {
    it(`${name}: the full-size mask matches the small one's, at full resolution`, async () => {
      const url = `${ORIGIN}/large/${name}`;
      const mask = await readAnswer(await get(`/mask?url=${url}`));
      expect([mask.width, mask.height]).toEqual([width, height]);
      const full = shrinkMask(mask, Math.round(width / 16), Math.round(height / 16));
      const agreement = iou(full, await smallMask(url, width, height));
      console.log(`${name}: IoU against the same photo at 800 px ${agreement.toFixed(4)}`);
      expect(agreement).toBeGreaterThan(0.95);
      const cutout = await readAnswer(await get(`/remove?url=${url}`));
      expect([cutout.type, cutout.width, cutout.height]).toEqual(["image/png", width, height]);
    });
  }

  for (const [name, width, height] of [["SafeLanding", 5120, 2880], ["Elephants", 5640, 3172]] as const) {
    it(`a real large JPEG from Debian's wallpapers (${name}, ${width}×${height}) through /mask, /remove and /crop`, async () => {
      const url = `${ORIGIN}/wallpaper/${name}.jpg`;
      const probe = await fetch(url);
      await probe.body?.cancel();
      if (probe.status === 404) {
        console.warn(`${name}: its wallpaper package is not installed here, skipped (CI installs it)`);
        return;
      }
      const mask = await readAnswer(await get(`/mask?url=${url}`));
      expect([mask.width, mask.height]).toEqual([width, height]);
      // Art, not a photo of one object: the model's answer is logged, not judged.
      const agreement = iou(shrinkMask(mask, Math.round(width / 16), Math.round(height / 16)), await smallMask(url, width, height));
      console.log(`${name}: IoU against the same picture at 800 px ${agreement.toFixed(4)}`);
      const jpeg = await readAnswer(await get(`/remove?bg=ffffff&format=jpeg&url=${url}`));
      expect([jpeg.type, jpeg.width, jpeg.height]).toEqual(["image/jpeg", width, height]);
      const crop = await get(`/crop?w=400&h=300&url=${url}`);
      expect(crop.headers.get("x-crop-box")).toMatch(/^\d+,\d+,\d+,\d+$/);
      expect((await readAnswer(crop)).width).toBe(400);
    });
  }
});
