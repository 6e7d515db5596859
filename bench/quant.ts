/**
 * Post-training quantization of u2netp, measured: activation statistics from the calibration
 * split (bench/quant-data.ts) and the int8 graph against the float model on every photo.
 *
 *   /usr/bin/python3 models/build_int8.py --calib-graph /tmp/u2netp-calib.onnx
 *   npx tsx bench/quant.ts stats /tmp/u2netp-calib.onnx        # writes models/int8-calibration.json
 *   npx tsx bench/quant.ts eval models/u2netp-int8.onnx [--node] [--json out.json]
 *   npx tsx bench/quant.ts means EXPOSED.onnx OUT.json [--node]  # per-channel means (bias correction)
 *   npx tsx bench/quant.ts dead /tmp/u2netp-calib.onnx         # writes models/int8-dead-channels.json
 *
 * Float activations come from onnxruntime-node (fp32, exact enough and ~5x faster); the int8
 * graph runs in onnxruntime-web's WASM, the product's runtime (onnxruntime-node's AVX2 int8
 * kernels saturate with 8-bit weights and differ from WASM by up to 0.06: `--node` for a quick look).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";
import { decode, split, views } from "./quant-data";
import { compare, floatOutputs, maskAt, splitSummary } from "./quant-metrics";

const require = createRequire(import.meta.url);
const spec = MODELS.u2netp;
const S = spec.size;
const BINS = 512;
const [mode, graph, ...rest] = process.argv.slice(2);
const flag = (name: string) => rest.includes(`--${name}`);
const option = (name: string) => (rest.includes(`--${name}`) ? rest[rest.indexOf(`--${name}`) + 1] : undefined);

type Session = { run(feeds: Record<string, unknown>, outputs?: string[]): Promise<Record<string, { data: unknown; dims: readonly number[] }>> };
const feedsOf = (ort: { Tensor: new (t: "float32", d: Float32Array, s: number[]) => unknown }, input: Float32Array) => ({
  [spec.inputName]: new ort.Tensor("float32", input, [1, 3, S, S]),
});

async function nodeSession(path: string) {
  const ort = require("onnxruntime-node");
  const session: Session = await ort.InferenceSession.create(readFileSync(path), { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  return { run: (input: Float32Array, outputs?: string[]) => session.run(feedsOf(ort, input), outputs) };
}

async function webSession(path: string) {
  const ort = await import("onnxruntime-web/wasm");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = readFileSync(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
  const session = await ort.InferenceSession.create(readFileSync(path), { executionProviders: ["wasm"], graphOptimizationLevel: "disabled" });
  const feeds = (input: Float32Array) => feedsOf(ort, input) as never;
  return {
    run: (input: Float32Array, outputs?: string[]) => (outputs ? session.run(feeds(input), outputs) : session.run(feeds(input))) as never as ReturnType<Session["run"]>,
  };
}

/** Every calibration input: each calibration photo's views, through the product's pre-processing. */
function* calibrationInputs(): Generator<{ name: string; input: Float32Array }> {
  for (const file of split().calibration) {
    for (const view of views(decode(file))) yield { name: `${file}:${view.name}`, input: toModelInput(view.image, spec) };
  }
}

function extremes(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Two passes: each tensor's extremes over every input, then its histogram over [min(lo,0), max(hi,0)]. */
async function stats(): Promise<void> {
  const session = await nodeSession(graph);
  const perInput: Record<string, [number, number][]> = {};
  const names: string[] = [];
  for (const { name, input } of calibrationInputs()) {
    names.push(name);
    perInput[spec.inputName] = [...(perInput[spec.inputName] ?? []), extremes(input)];
    for (const [t, v] of Object.entries(await session.run(input))) (perInput[t] ??= []).push(extremes(v.data as Float32Array));
    console.error(`extremes: ${name}`);
  }
  const bounds: Record<string, [number, number]> = {};
  for (const [t, rows] of Object.entries(perInput)) bounds[t] = [Math.min(0, ...rows.map((r) => r[0])), Math.max(0, ...rows.map((r) => r[1]))];
  const histograms: Record<string, number[]> = {};
  const add = (t: string, data: Float32Array) => {
    const [lo, hi] = bounds[t];
    const counts = (histograms[t] ??= new Array(BINS).fill(0));
    const k = BINS / (hi - lo || 1);
    for (const v of data) counts[Math.min(BINS - 1, Math.floor((v - lo) * k))]++;
  };
  for (const { name, input } of calibrationInputs()) {
    add(spec.inputName, input);
    for (const [t, v] of Object.entries(await session.run(input))) add(t, v.data as Float32Array);
    console.error(`histograms: ${name}`);
  }
  const round = (v: number) => Number(v.toPrecision(6));
  const tensors: Record<string, unknown> = {};
  for (const t of Object.keys(bounds)) {
    const counts = histograms[t];
    let last = counts.length;
    while (last > 0 && counts[last - 1] === 0) last--;
    tensors[t] = { bounds: bounds[t].map(round), counts: counts.slice(0, last), ranges: perInput[t].map((r) => r.map(round)) };
  }
  const method = `onnxruntime-node 1.30 fp32 (stock model); per tensor: each input's [min, max] and a ${BINS}-bin histogram over [min(lo,0), max(hi,0)]`;
  writeFileSync("models/int8-calibration.json", JSON.stringify({ method, bins: BINS, inputs: names, tensors }) + "\n");
}

async function evaluate(): Promise<void> {
  const { heldOut, calibration } = split();
  const files = [...heldOut, ...calibration].sort();
  const reference = await floatOutputs(files);
  const session = flag("node") ? await nodeSession(graph) : await webSession(graph);
  const rows: { file: string; heldOut: boolean; mae: number; iou: number }[] = [];
  for (const file of files) {
    const img = decode(file);
    const y = (await session.run(toModelInput(img, spec), [spec.outputName]))[spec.outputName].data as Float32Array;
    const score = compare(maskAt(y, img.width, img.height), maskAt(reference.get(file)!, img.width, img.height));
    rows.push({ file, heldOut: heldOut.includes(file), ...score });
    console.error(`${heldOut.includes(file) ? "held-out" : "calib   "} ${file.padEnd(64)} IoU ${score.iou.toFixed(4)}  MAE ${score.mae.toFixed(5)}`);
  }
  const result = { graph, runtime: flag("node") ? "onnxruntime-node" : "onnxruntime-web", ...splitSummary(rows), rows };
  console.log(JSON.stringify({ heldOut: result.heldOut, all: result.all }));
  const json = option("json");
  if (json) writeFileSync(json, JSON.stringify(result, null, 1) + "\n");
}

/** Per-channel means of every output of GRAPH (NCHW) over the calibration inputs, in WASM. */
async function means(): Promise<void> {
  const session = flag("node") ? await nodeSession(graph) : await webSession(graph);
  const sums: Record<string, number[]> = {};
  let n = 0;
  for (const { name, input } of calibrationInputs()) {
    for (const [t, v] of Object.entries(await session.run(input))) {
      if (v.dims.length !== 4) continue;
      const [, c, h, w] = v.dims;
      const data = v.data as Float32Array;
      const s = (sums[t.replace(/^x_/, "")] ??= new Array(c).fill(0));
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let i = k * h * w; i < (k + 1) * h * w; i++) sum += data[i];
        s[k] += sum / (h * w);
      }
    }
    n++;
    console.error(`means: ${name}`);
  }
  writeFileSync(rest[0], JSON.stringify(Object.fromEntries(Object.entries(sums).map(([t, s]) => [t, s.map((v) => v / n)]))));
}

/**
 * Channels never positive on any calibration input: each tensor's channels whose maximum over
 * every view is <= 0, with that maximum. After a ReLU they are exactly zero on all 64 inputs;
 * the same channels before it tell how far from firing they stayed (build_int8's pruning).
 */
async function dead(): Promise<void> {
  const session = await nodeSession(graph);
  const maxima: Record<string, number[]> = {};
  let inputs = 0;
  for (const { name, input } of calibrationInputs()) {
    inputs++;
    for (const [t, v] of Object.entries(await session.run(input))) {
      if (v.dims.length !== 4) continue;
      const [, c, h, w] = v.dims;
      const data = v.data as Float32Array;
      const m = (maxima[t] ??= new Array(c).fill(-Infinity));
      for (let k = 0; k < c; k++) for (let i = k * h * w; i < (k + 1) * h * w; i++) if (data[i] > m[k]) m[k] = data[i];
    }
    console.error(`dead: ${name}`);
  }
  const tensors: Record<string, Record<number, number>> = {};
  for (const [t, m] of Object.entries(maxima)) {
    const never = m.flatMap((v, k) => (v <= 0 ? [[k, Number(v.toPrecision(4))] as const] : []));
    if (never.length) tensors[t] = Object.fromEntries(never);
  }
  const method = "onnxruntime-node 1.30 fp32 (stock model) on the 64 calibration inputs: per tensor, each channel whose maximum is <= 0, and that maximum";
  writeFileSync("models/int8-dead-channels.json", JSON.stringify({ method, inputs, tensors }, null, 0) + "\n");
}

const modes: Record<string, () => Promise<void>> = { stats, eval: evaluate, means, dead };
if (!modes[mode] || !graph) {
  console.error("usage: npx tsx bench/quant.ts stats|eval|means|dead GRAPH ...");
  process.exit(2);
}
await modes[mode]();
