/**
 * Memory (see test/support/memory.ts): AVIF and WebP answers are encoded whole by jSquash's
 * encoders, up to their 1 MP cap; each encoder's WebAssembly memory then stays grown for good
 * (about 42 MB at the cap), and every later request is planned against it.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, get } from "../helpers";
import { BUDGET, everyEffect, memory, through } from "../support/memory";

describe("memory after AVIF and WebP answers", { timeout: 900_000 }, () => {
  it("AVIF at its cap within budget; the largest photos still stream beside it; then WebP too; the plan refuses what no longer fits", async () => {
    // 1182×887 is the largest 4:3 answer under the 1 MP cap (1024×1024 = 1 048 576 pixels).
    await everyEffect("8192x6144.jpg", ["/remove?max_side=1182&format=avif", "/mask?max_side=1182&format=avif"]);
    const afterAvif = (await memory()).frontCodecs;
    expect(afterAvif.avif).toBeGreaterThan(30_000_000);
    expect(afterAvif.webp).toBe(0);
    // 50 MP baseline photos, with a blur too, still fit beside the AVIF encoder's memory.
    await everyEffect("8192x6144.jpg", ["/remove?bg=ffffff&format=jpeg", "/remove?bg=blur&shadow=1&format=jpeg"]);
    // WebP at its cap beside it (1144×915, from a 4 MP source: its rows and file are small).
    await everyEffect("2240x1792.jpg", ["/remove?max_side=1144&format=webp"]);
    expect((await memory()).frontCodecs.webp).toBeGreaterThan(30_000_000);
    // Both encoders now hold their memory (≈ 88 MB of WASM in all). A 50 MP baseline photo with a
    // blur is planned beside them (it fits: its file is 4 MB); a progressive one is refused, saying why.
    await everyEffect("8192x6144.jpg", ["/remove?bg=blur&shadow=1&format=jpeg"]);
    const refused = await through("/remove?bg=blur&shadow=1", "6000x4000-progressive.jpg");
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/codecs' memory held from earlier requests/);
    // A browser's AVIF at the cap from the 50 MP photo no longer fits beside them: PNG, not a refusal.
    const negotiated = await get(`/remove?max_side=1182&url=${ORIGIN}/large/8192x6144.jpg`, { accept: "image/avif,image/webp,*/*" });
    expect(negotiated.status).toBe(200);
    expect(negotiated.headers.get("content-type")).toBe("image/png");
    await negotiated.arrayBuffer();
    const { frontWasmBytes, frontPipelineLastBytes } = await memory();
    expect(frontWasmBytes + frontPipelineLastBytes).toBeLessThanOrEqual(BUDGET);
  });
});
