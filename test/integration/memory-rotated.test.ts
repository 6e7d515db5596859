/**
 * Memory (see test/support/memory.ts): a photo stored sideways (EXIF 6, as phones save
 * portraits) is turned upright in memory, RGB at 3 B/px, so its cap comes from the header:
 * 24 MP through every effect, ≈ 20 MP with `feather`.
 */
import { describe, expect, it } from "vitest";
import { EVERY_EFFECT, WHOLE_MASK, everyEffect, through } from "../support/memory";

describe("memory at the EXIF-rotated caps", { timeout: 1_800_000 }, () => {
  it("24 MP stored sideways through every endpoint and effect; feather is refused there", async () => {
    await everyEffect("6000x4000-o6.jpg", EVERY_EFFECT);
    const whole = await through(WHOLE_MASK, "6000x4000-o6.jpg");
    expect(whole.status).toBe(413);
    expect(((await whole.json()) as { error: { message: string } }).error.message).toMatch(/EXIF-rotated.*whole mask/);
  });

  it("20 MP stored sideways with feather", async () => {
    await everyEffect("5200x3900-o6.jpg", [WHOLE_MASK]);
  });
});
