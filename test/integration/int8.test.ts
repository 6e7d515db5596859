/**
 * The default edge model computes in int8 (`u2netp-int8`); the fp32 model stays an operator's
 * choice (`EDGE_MODEL=u2netp`). Both run through the real front worker, the fp32 one in a
 * segmenter isolate of its own (SEGMENTER_FP32) so the two sessions never share one WASM memory.
 * The int8 masks are judged against the fp32 masks on the photos calibration never saw (the
 * manifest lists the ones it saw): every one at IoU ≥ 0.97, mean MAE ≤ 0.002 (issue 17); on
 * every photo a looser bound. Each isolate stays within the memory budget.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/front/index";
import { DEFAULT_MODEL } from "../../core/models";
import int8Manifest from "../../models/u2netp-int8.manifest.json";
import { channel, compareMasks, decode, fixture, photoNames } from "../helpers";

const fp32Env = { ...env, EDGE_MODEL: "u2netp", SEGMENTER: (env as unknown as { SEGMENTER_FP32: Fetcher }).SEGMENTER_FP32 } as unknown as Env;
const call = (path: string, e: Env, init?: RequestInit) => worker.fetch(new Request(`http://edge.test${path}`, init), e, createExecutionContext());

const names = await photoNames();
const calibrated = new Set(int8Manifest.calibrationPhotos);
const scores: { name: string; heldOut: boolean; mae: number; iou: number }[] = [];

async function maskOf(response: Response, model: string): Promise<Uint8Array> {
  expect(response.status).toBe(200);
  expect(response.headers.get("x-model")).toBe(model);
  expect(response.headers.get("x-backend")).toBe("edge");
  return channel(decode(new Uint8Array(await response.arrayBuffer())).rgba, 0);
}

describe("the default int8 model against the fp32 model", () => {
  it("is the default, and calibration left photos out", () => {
    expect(DEFAULT_MODEL).toBe("u2netp-int8");
    expect(env.EDGE_MODEL).toBe(DEFAULT_MODEL);
    expect(names.filter((n) => !calibrated.has(n)).length).toBeGreaterThanOrEqual(8);
  });

  it.each(names)("%s", async (file) => {
    const photo = await fixture(`images/${file}`);
    const int8 = await maskOf(await call("/mask", env as unknown as Env, { method: "POST", body: photo }), "u2netp-int8");
    const fp32 = await maskOf(await call("/mask", fp32Env, { method: "POST", body: photo }), "u2netp");
    const score = compareMasks(int8, fp32);
    const heldOut = !calibrated.has(file);
    scores.push({ name: file, heldOut, ...score });
    if (heldOut) expect(score.iou).toBeGreaterThanOrEqual(0.97);
    // Calibration photos: a loose bound (measured: all ≥ 0.98 IoU, bench/quant.ts).
    expect(score.iou).toBeGreaterThan(0.95);
    expect(score.mae).toBeLessThan(0.02);
  });

  it("meets issue 17's limits on the held-out photos (every IoU ≥ 0.97, mean MAE ≤ 0.002)", () => {
    expect(scores).toHaveLength(names.length);
    const report = (set: typeof scores) =>
      `${set.length} photos: min IoU ${Math.min(...set.map((s) => s.iou)).toFixed(4)}, mean MAE ${(set.reduce((s, r) => s + r.mae, 0) / set.length).toFixed(5)}`;
    const heldOut = scores.filter((s) => s.heldOut);
    console.log(`u2netp-int8 vs u2netp (fp32): held out ${report(heldOut)}; all ${report(scores)}`);
    expect(Math.min(...heldOut.map((s) => s.iou))).toBeGreaterThanOrEqual(0.97);
    expect(heldOut.reduce((s, r) => s + r.mae, 0) / heldOut.length).toBeLessThanOrEqual(0.002);
  });

  it("keeps each segmenter's WASM memory within its budget (int8 71 MiB since pruning, fp32 90 MiB), and /health gives each model's precision", async () => {
    const budgets = { "u2netp-int8": 71 * 2 ** 20, u2netp: 90 * 2 ** 20 };
    for (const [e, model] of [[env as unknown as Env, "u2netp-int8"], [fp32Env, "u2netp"]] as const) {
      const response = await call("/health", e);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { edgeModel: string; models: { id: string; precision: string }[]; memory: { segmenterWasmBytes: number } };
      expect(body.edgeModel).toBe(model);
      expect(body.memory.segmenterWasmBytes).toBeGreaterThan(0);
      expect(body.memory.segmenterWasmBytes).toBeLessThanOrEqual(budgets[model]);
      expect(body.models.find((m) => m.id === "u2netp-int8")?.precision).toBe("int8");
      expect(body.models.find((m) => m.id === "u2netp")?.precision).toBe("fp32");
    }
  });
});

describe("quality=high without a GPU server", () => {
  it("runs the fp32 model where SEGMENTER_FP32 is bound, and the default model where it is not", async () => {
    const photo = await fixture("images/rocket.jpg");
    const mask = async (e: Env, query: string, model: string) => maskOf(await call(`/mask${query}`, e, { method: "POST", body: photo }), model);
    const exact = await mask(env as unknown as Env, "?quality=high", "u2netp");
    // The same pixels as the edge configured for fp32 (EDGE_MODEL=u2netp).
    expect(exact).toEqual(await mask(fp32Env, "", "u2netp"));
    const unbound = { ...env, SEGMENTER_FP32: undefined } as unknown as Env;
    const fast = await mask(unbound, "?quality=high", "u2netp-int8");
    expect(fast).toEqual(await mask(env as unknown as Env, "", "u2netp-int8"));
  });
});
