/**
 * Activation ranges for the int8 build: onnxruntime-web (WASM, one thread, Node) runs the stock
 * model with every float tensor as an output on the first `--photos N` fixture photos (the
 * product's own pre-processing) and records each tensor's min and max on each.
 *
 *   /usr/bin/python3 models/build_int8.py --calib-graph /tmp/u2netp-calib.onnx
 *   npx tsx bench/calibrate.ts /tmp/u2netp-calib.onnx [--photos 8]   # writes models/int8-calibration.json
 *   npx tsx bench/calibrate.ts GRAPH --photos 8 --means OUT.json      # per-channel means (bias correction)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";
import { IMAGES, calibrationPhotos, photo } from "./masks";

const require = createRequire(import.meta.url);
const [graph, ...rest] = process.argv.slice(2);
const count = Number(rest[rest.indexOf("--photos") + 1] ?? 8) || 8;
const spec = MODELS.u2netp;

const ort = await import("onnxruntime-web/wasm");
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmBinary = readFileSync(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
const session = await ort.InferenceSession.create(readFileSync(graph), { executionProviders: ["wasm"], graphOptimizationLevel: "disabled" });

const photos = calibrationPhotos(count);
// Per tensor, per photo: [min, max] (the build picks the statistic over photos).
const ranges: Record<string, [number, number][]> = {};
const widen = (name: string, data: Float32Array) => {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  (ranges[name] ??= []).push([lo, hi]);
};
const meansOut = rest.includes("--means") ? rest[rest.indexOf("--means") + 1] : undefined;
const channelSums: Record<string, number[]> = {};
function addChannelMeans(name: string, data: Float32Array, dims: readonly number[]): void {
  if (dims.length !== 4) return;
  const [, c, h, w] = dims;
  const sums = (channelSums[name] ??= new Array(c).fill(0));
  for (let k = 0; k < c; k++) {
    let sum = 0;
    for (let i = k * h * w; i < (k + 1) * h * w; i++) sum += data[i];
    sums[k] += sum / (h * w);
  }
}
for (const file of photos) {
  const input = toModelInput(photo(readFileSync(`${IMAGES}/${file}`)).rgba, spec);
  widen(spec.inputName, input);
  const outputs = await session.run({ [spec.inputName]: new ort.Tensor("float32", input, [1, 3, spec.size, spec.size]) });
  for (const [name, tensor] of Object.entries(outputs)) {
    widen(name, tensor.data as Float32Array);
    if (meansOut) addChannelMeans(name, tensor.data as Float32Array, tensor.dims);
    tensor.dispose();
  }
  console.error(`calibrated on ${file}`);
}
if (meansOut) {
  // Bias correction: per-channel means of every output (NCHW) over the photos.
  const means: Record<string, number[]> = {};
  for (const [name, sums] of Object.entries(channelSums)) means[name.replace(/^x_/, "")] = sums.map((v) => v / photos.length);
  writeFileSync(meansOut, JSON.stringify(means));
  process.exit(0);
}
writeFileSync("models/int8-calibration.json", JSON.stringify({ method: "min and max per photo, onnxruntime-web 1.30 WASM, stock fp32 model", photos, ranges }) + "\n");
