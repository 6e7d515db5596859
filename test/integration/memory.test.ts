/**
 * The memory budget, read from what the front worker really holds after the largest input of
 * each kind has gone through every endpoint and effect: its codecs' WebAssembly memories
 * (they never shrink, so these are peaks for good) plus the typed arrays the pipeline itself
 * counted for the request (its Ledger). Workers give an isolate 128 MB for JS and WASM
 * together; the pipeline's share is 110 MB.
 *
 * Baseline JPEG and plain PNG stream in memory that grows with the width only; progressive
 * JPEG (every DCT coefficient) and EXIF-rotated photos (turned upright in memory) are capped
 * from their headers, lower still when an option holds the whole mask (feather).
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, errorCode, get, health } from "../helpers";

const BUDGET = 110_000_000;
const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

interface Memory {
  frontWasmBytes: number;
  frontPipelineLastBytes: number;
  frontCodecs: Record<string, number>;
  segmenterWasmBytes: number;
}

const memory = async () => (await health()).memory as unknown as Memory;

/** Every endpoint and effect; the formats chosen so each encoder is used. */
const EVERY_EFFECT = [
  "/mask",
  "/mask?refine=1&threshold=128",
  "/mask?cleanup=1",
  "/remove",
  "/remove?bg=ffffff&format=jpeg",
  "/remove?bg=blur&shadow=1&format=jpeg",
  `/remove?bg_url=${encodeURIComponent(`${ORIGIN}/large/4032x3024.jpg`)}&format=jpeg`,
  "/highlight?style=blur&format=jpeg",
  "/highlight?style=gray&format=jpeg",
  "/crop?w=512&h=512",
  "/crop?transparent=1&margin=5%",
  "/bbox",
  "/bbox?format=jpeg",
];
/** The one option that holds the whole mask (a blur over all of it). */
const WHOLE_MASK = "/mask?feather=3";

async function through(path: string, file: string): Promise<Response> {
  return get(`${path}${path.includes("?") ? "&" : "?"}url=${ORIGIN}/large/${file}`);
}

/** Sends `file` through `paths`, checking each answer and the budget after it. */
async function everyEffect(file: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const response = await through(path, file);
    expect(response.status, `${path} on ${file}: ${response.status === 200 ? "" : await response.clone().text()}`).toBe(200);
    await response.arrayBuffer();
    const m = await memory();
    const total = m.frontWasmBytes + m.frontPipelineLastBytes;
    console.log(`${file} ${path.slice(0, 48)}: WASM ${MB(m.frontWasmBytes)} + pipeline ${MB(m.frontPipelineLastBytes)} = ${MB(total)}`);
    expect(total, `${path} on ${file}`).toBeLessThanOrEqual(BUDGET);
  }
}

describe("memory at the largest accepted inputs", { timeout: 1_800_000 }, () => {
  it("a 50 MP baseline JPEG (8192×6144) through every endpoint and effect", async () => {
    await everyEffect("8192x6144.jpg", [...EVERY_EFFECT, WHOLE_MASK]);
  });

  it("a 50 MP PNG through the endpoints", async () => {
    await everyEffect("8192x6144-grey.png", ["/mask", "/remove", "/remove?bg=blur&shadow=1", "/bbox", "/crop?w=512&h=512", WHOLE_MASK]);
  });

  it("a 24 MP progressive JPEG (its cap) through every endpoint and effect; feather has a lower cap, said in the 413", async () => {
    await everyEffect("6000x4000-progressive.jpg", EVERY_EFFECT);
    const whole = await through(WHOLE_MASK, "6000x4000-progressive.jpg");
    expect(whole.status).toBe(413);
    const body = (await whole.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("image_too_large");
    expect(body.error.message).toMatch(/progressive JPEG coefficients.*whole mask.*baseline/);
    await everyEffect("5200x3900-progressive.jpg", [WHOLE_MASK]);
  });

  it("over the progressive cap (28 MP with a blur) is refused from the header, with why and what to send", async () => {
    const response = await through("/remove?bg=blur", "6400x4400-progressive.jpg");
    expect(response.status).toBe(413);
    expect(await errorCode(response.clone())).toBe("image_too_large");
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/progressive.*Send a baseline/);
  });

  it("a 24 MP photo stored sideways (EXIF 6, its cap) through every endpoint and effect", async () => {
    await everyEffect("6000x4000-o6.jpg", EVERY_EFFECT);
    expect((await through(WHOLE_MASK, "6000x4000-o6.jpg")).status).toBe(413);
    await everyEffect("5200x3900-o6.jpg", [WHOLE_MASK]);
  });

  it("a WebP answer (photon encodes it whole, up to 2 MP) raises photon's memory for good; plans count it", async () => {
    await everyEffect("8192x6144.jpg", ["/mask?max_side=1448&format=webp", "/remove?max_side=1448&format=webp"]);
    // photon now holds its high-water mark: the progressive cap with a blur drops below 24 MP.
    const refused = await through("/remove?bg=blur&shadow=1", "6000x4000-progressive.jpg");
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/codecs' memory held from earlier requests/);
    // Baseline photos stream on regardless: 50 MP with a blur still fits.
    await everyEffect("8192x6144.jpg", ["/remove?bg=blur&shadow=1&format=jpeg"]);
  });

  it("stays within the budget, and the codecs' memory is the streaming kind", async () => {
    const m = await memory();
    console.log(`front codecs: ${JSON.stringify(m.frontCodecs)}; segmenter WASM ${MB(m.segmenterWasmBytes)}`);
    // The progressive decode is the largest WASM user: its coefficients, ≈ 3 B/px at 24 MP.
    expect(m.frontCodecs.jpeg).toBeGreaterThan(60_000_000);
    expect(m.frontWasmBytes).toBeLessThanOrEqual(BUDGET);
    expect(m.segmenterWasmBytes).toBeLessThanOrEqual(90 * 2 ** 20);
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
