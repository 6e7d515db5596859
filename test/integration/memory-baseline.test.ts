/**
 * Memory (see test/support/memory.ts): baseline JPEG and plain PNG at the 50 MP cap through
 * every endpoint and effect, and their working set proportional to the width, not the height.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN } from "../helpers";
import { BUDGET, EVERY_EFFECT, MB, WHOLE_MASK, everyEffect, memory, through } from "../support/memory";

describe("memory at the 50 MP cap, baseline JPEG and PNG", { timeout: 1_800_000 }, () => {
  it("a 50 MP baseline JPEG (8192×6144) through every endpoint and effect", async () => {
    await everyEffect("8192x6144.jpg", [...EVERY_EFFECT, WHOLE_MASK]);
  });

  it("a 50 MP PNG through the endpoints", async () => {
    await everyEffect("8192x6144-grey.png", ["/mask", "/remove", "/remove?bg=blur&shadow=1", "/bbox", "/crop?w=512&h=512", WHOLE_MASK]);
  });

  it("the codecs stream: their WASM memory holds a few rows, not the picture or the file", async () => {
    const m = await memory();
    console.log(`front codecs: ${JSON.stringify(m.frontCodecs)}`);
    expect(m.frontCodecs.jpeg + m.frontCodecs.png).toBeLessThan(8_000_000);
    expect(m.frontWasmBytes).toBeLessThanOrEqual(BUDGET);
  });
});

describe("baseline JPEG and PNG stream in memory proportional to the width", { timeout: 600_000 }, () => {
  for (const type of ["jpg", "png"]) {
    it(`${type}: 2000×1000 and 2000×8000 hold the same pipeline memory, less the file`, async () => {
      const held: number[] = [];
      for (const size of ["2000x1000", "2000x8000"]) {
        const file = `${size}.${type}`;
        const bytes = (await (await fetch(`${ORIGIN}/large/${file}`)).arrayBuffer()).byteLength;
        const response = await through("/remove", file);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        held.push((await memory()).frontPipelineLastBytes - bytes);
      }
      console.log(`${type}: pipeline less the file, 2000×1000 ${MB(held[0])}, 2000×8000 ${MB(held[1])}`);
      expect(Math.abs(held[1] - held[0])).toBeLessThan(2_000_000);
    });
  }
});
