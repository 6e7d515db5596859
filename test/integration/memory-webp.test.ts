/**
 * Memory (see test/support/memory.ts): a WebP answer is encoded whole by photon (up to 2 MP),
 * which raises photon's memory for good; every later request is planned against it.
 */
import { describe, expect, it } from "vitest";
import { everyEffect, memory, through } from "../support/memory";

describe("memory after WebP answers", { timeout: 900_000 }, () => {
  it("WebP answers at the 2 MP cap, then later requests planned against photon's high-water mark", async () => {
    await everyEffect("8192x6144.jpg", ["/mask?max_side=1448&format=webp", "/remove?max_side=1448&format=webp"]);
    expect((await memory()).frontCodecs.photon).toBeGreaterThan(10_000_000);
    // The progressive cap with a blur drops below 24 MP, and the refusal says why.
    const refused = await through("/remove?bg=blur&shadow=1", "6000x4000-progressive.jpg");
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/codecs' memory held from earlier requests/);
    // Baseline photos stream on regardless: 50 MP with a blur still fits.
    await everyEffect("8192x6144.jpg", ["/remove?bg=blur&shadow=1&format=jpeg"]);
  });
});
