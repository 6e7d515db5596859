/**
 * Golden masks: every fixture photo through the real workers (front → service binding →
 * segmenter → ONNX Runtime in workerd) with the default model (`u2netp-int8`, int8 compute),
 * against the masks the authors' float pipeline made, at the thresholds the fp32 default had.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL } from "../../core/models";
import { ORIGIN, baseName, channel, compareMasks, decode, fixture, get, mismatches, photoNames, post, saveArtifact } from "../helpers";
import { boundaryF } from "../metrics";
import { decodeAsProduct } from "../support/answer";

const names = await photoNames();
const results: { name: string; size: string; mae: number; iou: number; boundaryF: number }[] = [];
const masks = new Map<string, Uint8Array>();
const references = new Map<string, Uint8Array>();

describe("/mask on every fixture photo", () => {
  it.each(names)("%s", async (file) => {
    const photo = await fixture(`images/${file}`);
    const response = await post("/mask", photo);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    // The default model (int8 compute): wrangler.toml's EDGE_MODEL names it.
    expect(response.headers.get("x-model")).toBe(DEFAULT_MODEL);
    const png = new Uint8Array(await response.arrayBuffer());
    const actual = decode(png);
    const source = decode(photo);
    expect([actual.width, actual.height]).toEqual([source.width, source.height]);
    const expected = decode(await fixture(`masks/${baseName(file)}.png`));
    const mask = channel(actual.rgba, 0);
    // A grey PNG decodes with R = G = B and opaque alpha.
    expect(mismatches(channel(actual.rgba, 1), mask)).toBe(0);
    const score = compareMasks(mask, channel(expected.rgba, 0));
    const expectedMask = channel(expected.rgba, 0);
    results.push({ name: file, size: `${source.width}×${source.height}`, ...score, boundaryF: boundaryF(mask, expectedMask, source.width, source.height) });
    references.set(file, expectedMask);
    masks.set(file, mask);
    if (score.mae > 0.01 || score.iou < 0.97) {
      await saveArtifact(`${baseName(file)}.actual.png`, png);
      await saveArtifact(`${baseName(file)}.expected.png`, await fixture(`masks/${baseName(file)}.png`));
    }
    // Per photo, a loose bound: one bad photo must not hide behind a good mean.
    expect(score.mae).toBeLessThan(0.02);
    expect(score.iou).toBeGreaterThan(0.95);
  });

  it("meets the accuracy targets on average (MAE ≤ 0.005, IoU ≥ 0.98)", () => {
    expect(results).toHaveLength(names.length);
    const mean = (k: "mae" | "iou") => results.reduce((s, r) => s + r[k], 0) / results.length;
    const rows = results.map((r) => `| ${r.name} | ${r.size} | ${r.mae.toFixed(4)} | ${r.iou.toFixed(4)} | ${r.boundaryF.toFixed(4)} |`);
    const meanF = results.reduce((s, r) => s + r.boundaryF, 0) / results.length;
    console.log(["| photo | size | MAE | IoU≥128 | boundary F |", "|---|---|---|---|---|", ...rows, `| **mean** (${results.length}) | | **${mean("mae").toFixed(4)}** | **${mean("iou").toFixed(4)}** | **${meanF.toFixed(4)}** |`].join("\n"));
    expect(mean("mae")).toBeLessThanOrEqual(0.005);
    expect(mean("iou")).toBeGreaterThanOrEqual(0.98);
  });
});

describe("/remove on every fixture photo", () => {
  it.each(names)("%s: alpha is the mask, colours are the photo's (0 where fully transparent)", async (file) => {
    const photo = await fixture(`images/${file}`);
    const response = await post("/remove", photo);
    expect(response.status).toBe(200);
    const cutout = decode(new Uint8Array(await response.arrayBuffer()));
    // The photo as the product decodes it (libjpeg-turbo, libspng).
    const source = await decodeAsProduct(photo);
    expect([cutout.width, cutout.height]).toEqual([source.width, source.height]);
    const alpha = channel(cutout.rgba, 3);
    expect(mismatches(alpha, masks.get(file))).toBe(0);
    for (const c of [0, 1, 2]) {
      const expected = channel(source.rgba, c).map((v, i) => (alpha[i] === 0 ? 0 : v));
      expect(mismatches(channel(cutout.rgba, c), expected)).toBe(0);
    }
  });
});

describe("refine=1 (edge-aware refinement) against the references, on every photo", () => {
  const refined: { mae: number; iou: number; boundaryF: number }[] = [];

  it.each(names)("%s", async (file) => {
    const response = await post("/mask?refine=1", await fixture(`images/${file}`));
    expect(response.status).toBe(200);
    const { width, height, rgba } = decode(new Uint8Array(await response.arrayBuffer()));
    const mask = channel(rgba, 0);
    const reference = references.get(file)!;
    refined.push({ ...compareMasks(mask, reference), boundaryF: boundaryF(mask, reference, width, height) });
  });

  it("reports its effect (the references are the unrefined float model, not human ground truth)", () => {
    const mean = (rows: { mae: number; iou: number; boundaryF: number }[], k: "mae" | "iou" | "boundaryF") => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    console.log(
      [
        "| masks vs references (24 photos) | mean MAE | mean IoU≥128 | mean boundary F |",
        "|---|---|---|---|",
        `| plain | ${mean(results, "mae").toFixed(4)} | ${mean(results, "iou").toFixed(4)} | ${mean(results, "boundaryF").toFixed(4)} |`,
        `| refine=1 | ${mean(refined, "mae").toFixed(4)} | ${mean(refined, "iou").toFixed(4)} | ${mean(refined, "boundaryF").toFixed(4)} |`,
      ].join("\n"),
    );
    expect(refined).toHaveLength(names.length);
    // Refinement moves edges; it must not break masks.
    expect(mean(refined, "iou")).toBeGreaterThan(0.95);
    expect(mean(refined, "boundaryF")).toBeGreaterThan(0.85);
  });
});

describe("other ways in", () => {
  it("GET ?url= gives the same mask as a POST", async () => {
    const response = await get(`/mask?url=${encodeURIComponent(`${ORIGIN}/images/chelsea.png`)}`);
    expect(response.status).toBe(200);
    expect(mismatches(channel(decode(new Uint8Array(await response.arrayBuffer())).rgba, 0), masks.get("chelsea.png"))).toBe(0);
  });

  it("multipart field `image` gives the same cutout as a raw POST", async () => {
    const form = new FormData();
    form.append("image", new Blob([await fixture("images/coffee.png")]), "coffee.png");
    const response = await post("/remove", form);
    expect(response.status).toBe(200);
    expect(mismatches(channel(decode(new Uint8Array(await response.arrayBuffer())).rgba, 3), masks.get("coffee.png"))).toBe(0);
  });

  it("a lossless WebP of a photo gives the same mask as its PNG", async () => {
    const response = await get(`/mask?url=${ORIGIN}/webp/images/chelsea.png`);
    expect(response.status).toBe(200);
    expect(mismatches(channel(decode(new Uint8Array(await response.arrayBuffer())).rgba, 0), masks.get("chelsea.png"))).toBe(0);
  });

  it("an RGBA photo keeps its own transparency in the cutout (alphas multiply)", async () => {
    // Left half 50% transparent; the model sees the same RGB, so the mask is chelsea's.
    const response = await get(`/remove?url=${ORIGIN}/rgba/images/chelsea.png`);
    expect(response.status).toBe(200);
    const cutout = decode(new Uint8Array(await response.arrayBuffer()));
    const mask = masks.get("chelsea.png")!;
    const expected = mask.map((m, i) => (i % cutout.width < cutout.width / 2 ? Math.round((m * 128) / 255) : m));
    expect(mismatches(channel(cutout.rgba, 3), expected)).toBe(0);
  });

  it("a greyscale photo gives a full-size mask (camera.png is 8-bit grey)", () => {
    expect(masks.get("camera.png")?.length).toBe(512 * 512);
  });
});
