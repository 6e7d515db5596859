/**
 * Accuracy of the browser's graphs (models/build_browser.py) against the reference masks
 * (test/fixtures/masks: u2netp fp32 at 320², the authors' pipeline), in Node with
 * onnxruntime-web's WASM build: the product's own pre-processing and mask resizing, each photo
 * at the graph's input side. The real-time mode's input side is chosen from this table.
 *
 *   npx tsx bench/browser-accuracy.ts [--json out.json] [path/graph.onnx:side ...]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { toMask8, resizeMask } from "../core/mask";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";
import { IMAGES, compareMasks, photo, photoNames, referenceMask } from "./masks";

const require = createRequire(import.meta.url);
/** The shipped graphs; others (`models/build_browser.py --sizes …`) by path. */
const DEFAULT_GRAPHS = ["models/u2netp-browser.onnx:320", "models/u2netp-int8-320.onnx:320", "models/u2netp-int8-160.onnx:160", "models/u2netp-browser.onnx:160"];

export interface GraphAccuracy {
  graph: string;
  side: number;
  meanMae: number;
  meanIou: number;
  minIou: number;
  photos: number;
  /** Median time of one run in Node, one thread (a guide: Chromium's figures are bench/browser-fps.ts). */
  medianMs: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf("--json");
  const jsonPath = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const graphs = (args.length ? args : DEFAULT_GRAPHS).map((g) => ({ file: g.split(":")[0], side: Number(g.split(":")[1]) }));
  const ort = await import("onnxruntime-web/wasm");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = readFileSync(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
  const photos = photoNames().map((name) => ({ name, rgba: photo(readFileSync(`${IMAGES}/${name}`)).rgba, reference: referenceMask(name) }));
  const rows: GraphAccuracy[] = [];
  for (const { file, side } of graphs) {
    const spec = { ...MODELS.u2netp, size: side };
    const session = await ort.InferenceSession.create(readFileSync(file), { graphOptimizationLevel: "all" });
    const scores = [];
    const times: number[] = [];
    for (const p of photos) {
      const input = new ort.Tensor("float32", toModelInput(p.rgba, spec), [1, 3, side, side]);
      const started = performance.now();
      const output = (await session.run({ [spec.inputName]: input }))[spec.outputName];
      times.push(performance.now() - started);
      const mask = resizeMask(toMask8(output.data as Float32Array), side, side, p.rgba.width, p.rgba.height);
      scores.push(compareMasks(mask, p.reference));
    }
    await session.release();
    const row = {
      graph: file,
      side,
      meanMae: scores.reduce((s, x) => s + x.mae, 0) / scores.length,
      meanIou: scores.reduce((s, x) => s + x.iou, 0) / scores.length,
      minIou: Math.min(...scores.map((x) => x.iou)),
      photos: scores.length,
      medianMs: times.sort((a, b) => a - b)[Math.floor(times.length / 2)],
    };
    rows.push(row);
    console.log(`${file} at ${side}²: MAE ${row.meanMae.toFixed(4)}, IoU mean ${row.meanIou.toFixed(4)}, min ${row.minIou.toFixed(4)} (${row.photos} photos), ${row.medianMs.toFixed(0)} ms a run`);
  }
  if (jsonPath) writeFileSync(jsonPath, JSON.stringify(rows, null, 1) + "\n");
}

await main();
