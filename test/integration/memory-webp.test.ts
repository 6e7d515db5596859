/**
 * Memory (see test/support/memory.ts): a WebP answer is encoded whole by jSquash's libwebp (up
 * to its 1 MP cap), which raises that encoder's memory for good; every later request is planned
 * against it. AVIF and both together: memory-avif.test.ts.
 */
import { describe, expect, it } from "vitest";
import { everyEffect, memory, through } from "../support/memory";

describe("memory after WebP answers", { timeout: 900_000 }, () => {
  it("WebP answers at the 1 MP cap (lossy and lossless), then later requests planned against the encoder's high-water mark", async () => {
    // 1182×887: the largest 4:3 answer under the cap (1024×1024 = 1 048 576 pixels).
    await everyEffect("8192x6144.jpg", ["/mask?max_side=1182&format=webp", "/remove?max_side=1182&format=webp&quality=100"]);
    expect((await memory()).frontCodecs.webp).toBeGreaterThan(30_000_000);
    // The progressive cap with a blur drops below 24 MP, and the refusal says why.
    const refused = await through("/remove?bg=blur&shadow=1", "6000x4000-progressive.jpg");
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/codecs' memory held from earlier requests/);
    // Baseline photos stream on regardless: 50 MP with a blur still fits.
    await everyEffect("8192x6144.jpg", ["/remove?bg=blur&shadow=1&format=jpeg"]);
  });
});
