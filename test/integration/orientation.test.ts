/**
 * EXIF orientation: phones store most portraits sideways with orientation 6, and browsers show
 * them upright. Every answer is about the photo as shown: the same photo stored in each of the
 * 8 orientations must give the same upright answer (and /bbox and X-Crop-Box coordinates in
 * that frame). PNG (eXIf) keeps the pixels exact, so there the answers are byte-identical;
 * JPEG re-encodes each stored variant, so there they agree to the model's precision.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, get, mismatches } from "../helpers";
import { iou, readAnswer, shrinkMask } from "../support/answer";

const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8];

describe("EXIF orientation", { timeout: 300_000 }, () => {
  it("all 8 orientations of a PNG give byte-identical upright masks, boxes and crops", async () => {
    const masks: Uint8Array[] = [];
    const boxes: string[] = [];
    const crops: string[] = [];
    for (const o of ORIENTATIONS) {
      const url = `${ORIGIN}/large/1200x800-o${o}.png`;
      const mask = await readAnswer(await get(`/mask?url=${url}`));
      expect([mask.width, mask.height], `orientation ${o}`).toEqual([1200, 800]);
      masks.push(mask.bytes);
      boxes.push(JSON.stringify((await (await get(`/bbox?url=${url}`)).json()) as unknown));
      const crop = await get(`/crop?url=${url}`);
      crops.push(crop.headers.get("x-crop-box") ?? "");
      await crop.arrayBuffer();
    }
    for (let i = 1; i < masks.length; i++) {
      expect(mismatches(masks[i], masks[0]), `orientation ${ORIENTATIONS[i]}`).toBe(0);
      expect(boxes[i]).toBe(boxes[0]);
      expect(crops[i]).toBe(crops[0]);
    }
    // The object is upright: the standing person's box is taller than wide, as in the photo shown.
    const { boxes: found } = JSON.parse(boxes[0]) as { boxes: { width: number; height: number }[] };
    expect(found[0].height).toBeGreaterThan(found[0].width);
  });

  it("a JPEG stored sideways (orientation 5–8) comes back upright, its mask matching the upright file's", async () => {
    const reference = shrinkMask(await readAnswer(await get(`/mask?url=${ORIGIN}/large/1200x800-o1.jpg`)), 150, 100);
    for (const o of ORIENTATIONS.slice(1)) {
      const answer = await readAnswer(await get(`/mask?url=${ORIGIN}/large/1200x800-o${o}.jpg`));
      expect([answer.width, answer.height], `orientation ${o}`).toEqual([1200, 800]);
      const agreement = iou(shrinkMask(answer, 150, 100), reference);
      expect(agreement, `orientation ${o}`).toBeGreaterThan(0.97);
    }
  });

  it("a 12 MP portrait stored sideways (orientation 6, as phones save it) is answered upright", async () => {
    const response = await get(`/remove?bg=ffffff&format=jpeg&url=${ORIGIN}/large/4032x3024-o6.jpg`);
    expect(response.status).toBe(200);
    const answer = await readAnswer(response);
    expect([answer.width, answer.height]).toEqual([4032, 3024]);
  });
});
