/**
 * Memory (see test/support/memory.ts): progressive JPEG keeps every DCT coefficient in libjpeg
 * (≈ 3 B/px at 4:2:0), so its cap comes from the header: 24 MP through every effect, lower
 * with `feather` (the whole mask), and a refusal that says why and what to send.
 */
import { describe, expect, it } from "vitest";
import { BUDGET, EVERY_EFFECT, WHOLE_MASK, everyEffect, memory, through } from "../support/memory";

describe("memory at the progressive JPEG caps", { timeout: 1_800_000 }, () => {
  // First, while the JPEG codec's memory is still small: the whole mask beside the coefficients.
  it("20 MP with feather (its cap: the whole mask beside the coefficients)", async () => {
    await everyEffect("5200x3900-progressive.jpg", [WHOLE_MASK]);
  });

  it("24 MP through every endpoint and effect; feather is refused there, with the reason", async () => {
    await everyEffect("6000x4000-progressive.jpg", EVERY_EFFECT);
    const whole = await through(WHOLE_MASK, "6000x4000-progressive.jpg");
    expect(whole.status).toBe(413);
    const body = (await whole.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("image_too_large");
    expect(body.error.message).toMatch(/progressive JPEG coefficients.*whole mask.*Send a baseline/);
  });

  it("28 MP with a blur is refused from the header, with why and what to send", async () => {
    const response = await through("/remove?bg=blur", "6400x4400-progressive.jpg");
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/progressive.*Send a baseline/);
  });

  it("the coefficients are the largest WASM user, within the budget", async () => {
    const m = await memory();
    console.log(`front codecs: ${JSON.stringify(m.frontCodecs)}`);
    expect(m.frontCodecs.jpeg).toBeGreaterThan(60_000_000);
    expect(m.frontWasmBytes).toBeLessThanOrEqual(BUDGET);
  });
});
