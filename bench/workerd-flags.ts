/**
 * The Node-vs-workerd gap: runs the built segmenter (dist/segmenter, `npm run build:segmenter`)
 * in workerd through Miniflare with V8 flags (MINIFLARE_WORKERD_V8_FLAGS; wrangler's own
 * Miniflare does not pass them), and times warm inferences per model.
 *
 *   npx tsx bench/workerd-flags.ts [runs] [flags...]     e.g. 5 --liftoff-only
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { MODELS } from "../core/models";
import { HEADER_LENGTH, encodeInferRequest } from "../core/oip";
import { toModelInput } from "../core/preprocess";
import { IMAGES, photo } from "./masks";
import { median } from "./stats";

const [runsArg, ...flags] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
process.env.MINIFLARE_WORKERD_V8_FLAGS = flags.join(" ");
// Miniflare 5 (the vitest plugin's; wrangler's own Miniflare passes no V8 flags) reads flat v4 options.
const BUNDLE = "dist/segmenter";
const typeOf = (file: string) => (file.endsWith(".js") ? "ESModule" : file.endsWith(".wasm") ? "CompiledWasm" : /\.(onnx|bin)$/.test(file) ? "Data" : null);
const files = readdirSync(BUNDLE).filter((f) => typeOf(f) && f !== "index.js");
const segmenter = new Miniflare(
  convertV4MiniflareOptions({
    compatibilityDate: "2026-04-01",
    modules: ["index.js", ...files].map((f) => ({ type: typeOf(f)!, path: join(BUNDLE, f) })),
    modulesRoot: BUNDLE,
  }),
);
const { rgba } = photo(readFileSync(`${IMAGES}/two_dancers.jpg`));
for (const spec of Object.values(MODELS)) {
  const { body, headerLength } = encodeInferRequest({
    inputs: [{ name: spec.inputName, datatype: "FP32", shape: [1, 3, spec.size, spec.size], data: new Uint8Array(toModelInput(rgba, spec).buffer) }],
    outputs: [{ name: spec.outputName, binary: true }],
  });
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const response = await segmenter.dispatchFetch(`http://segmenter/v2/models/${spec.id}/infer`, {
      method: "POST",
      body,
      headers: { [HEADER_LENGTH]: String(headerLength) },
    });
    if (!response.ok) throw new Error(`${spec.id}: HTTP ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    if (i > 0) times.push(performance.now() - start); // the first run creates the session
  }
  console.log(`${spec.id}\tflags [${flags.join(" ")}]\twarm median ${Math.round(median(times))} ms of ${runs}`);
}
await segmenter.dispose();
