/**
 * The memory budget, read from the workers' real WebAssembly.Memory sizes after the largest
 * input the edge accepts has gone through both endpoints. Workers give an isolate 128 MB for
 * JS and WASM together; WASM memory never shrinks, so these are the peaks for good.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, errorCode, get, health } from "../helpers";

const MB = 1024 * 1024;
/** photon's share of the front isolate: 100 MB less the JS working set at 4 MP (README). */
const FRONT_WASM_BUDGET = 64 * MB;
/** ORT's share of the segmenter isolate: 100 MB less the model bytes and JS. */
const SEGMENTER_WASM_BUDGET = 90 * MB;

describe("memory at the largest accepted input (2048×2048 = the 4 MP cap)", () => {
  for (const file of ["2048x2048.png", "2048x2048.jpg", "4096x1024.png"]) {
    it(`${file} goes through /remove and /mask`, async () => {
      for (const path of ["/remove", "/mask"]) {
        const response = await get(`${path}?url=${ORIGIN}/generated/${file}`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      const { memory } = await health();
      console.log(`${file}: front WASM ${(memory.frontWasmBytes / MB).toFixed(1)} MB, segmenter WASM ${(memory.segmenterWasmBytes / MB).toFixed(1)} MB`);
    });
  }

  it("every effect and encoder at 4 MP", async () => {
    const source = `url=${ORIGIN}/generated/2048x2048.jpg`;
    for (const path of [
      "/remove?bg=ffffff&format=jpeg",
      "/remove?bg=blur&shadow=1",
      `/remove?bg_url=${encodeURIComponent(`${ORIGIN}/generated/1448x1448.png`)}`,
      "/highlight?style=blur",
      "/crop?w=512&h=512",
      "/bbox?format=png",
      "/mask?refine=1&cleanup=1&feather=3",
      "/mask?max_side=1448&format=webp",
    ]) {
      const response = await get(`${path}&${source}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
    const { memory } = await health();
    console.log(`effects at 4 MP: front WASM ${(memory.frontWasmBytes / MB).toFixed(1)} MB`);
  });

  it("one pixel more is refused before decoding", async () => {
    const response = await get(`/remove?url=${ORIGIN}/generated/2049x2048.jpg`);
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe("image_too_large");
  });

  it("stays within the budgets", async () => {
    const { memory } = await health();
    expect(memory.frontWasmBytes).toBeGreaterThan(16 * MB); // the big decodes really happened here
    expect(memory.frontWasmBytes).toBeLessThanOrEqual(FRONT_WASM_BUDGET);
    expect(memory.segmenterWasmBytes).toBeGreaterThan(16 * MB);
    expect(memory.segmenterWasmBytes).toBeLessThanOrEqual(SEGMENTER_WASM_BUDGET);
  });
});
