/**
 * Where the time goes: onnxruntime-web's own profiler (`enableProfiling`) on one warm run of an
 * edge model, one thread, Node, on a fixture photo. Prints per operator type and per conv
 * shape (MACs and GMAC/s) as Markdown and writes bench/results/profile-<model>.md.
 *
 *   npx tsx bench/profile.ts [u2netp-int8|u2netp] [--runs 3]
 *
 * ORT-web's WASM build prints the profile's JSON through Emscripten's stdout (console.log in
 * Node) when the session ends profiling; this script captures it from process.stdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";
import { IMAGES, photo } from "./masks";

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const id = (argv.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "u2netp-int8") as keyof typeof MODELS;
const runs = Number(argv[argv.indexOf("--runs") + 1] ?? 3) || 3;
const spec = MODELS[id];
if (!spec) throw new Error(`not an edge model: ${id} (one of ${Object.keys(MODELS).join(", ")})`);
const manifest = JSON.parse(readFileSync(`models/${id === "u2netp" ? "manifest" : `${id}.manifest`}.json`, "utf8"));
if (manifest.files.graph.path !== manifest.files.weights.path) throw new Error(`${id}: profile a self-contained graph (the fp32 edge graph keeps its weights apart)`);

const ort = await import("onnxruntime-web/wasm");
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmBinary = readFileSync(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
const session = await ort.InferenceSession.create(readFileSync(`models/${manifest.files.graph.path}`), {
  executionProviders: ["wasm"],
  ...spec.session,
  enableProfiling: true,
});
const input = toModelInput(photo(readFileSync(`${IMAGES}/two_dancers.jpg`)).rgba, spec);
const feeds = { [spec.inputName]: new ort.Tensor("float32", input, [1, 3, spec.size, spec.size]) };
for (let i = 0; i <= runs; i++) await session.run(feeds);

const printed: string[] = [];
const write = process.stdout.write;
process.stdout.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
try {
  await session.endProfiling();
} finally {
  process.stdout.write = write;
}
const text = printed.join("");
const events = JSON.parse(text.slice(text.indexOf("["), text.lastIndexOf("]") + 1)) as ProfileEvent[];
const modelRuns = events.filter((e) => e.name === "model_run");
const last = modelRuns[modelRuns.length - 1];
const kernels = events.filter((e) => e.cat === "Node" && e.name.endsWith("_kernel_time") && e.ts >= last.ts && e.ts <= last.ts + last.dur);

const dims = (shapes: Record<string, number[]>[] | undefined, i: number) => Object.values(shapes?.[i] ?? {})[0] ?? [];
/** Output H, W, C and input C of a conv, whichever layout (QLinearConv here is channels-last u8). */
function convShape(e: ProfileEvent): { h: number; w: number; cin: number; cout: number; k: number } {
  const x = dims(e.args.input_type_shape, 0);
  const y = dims(e.args.output_type_shape, 0);
  if (e.args.op_name === "QLinearConv") return { h: y[1], w: y[2], cout: y[3], cin: x[3], k: 3 }; // weights are pre-packed (not listed); every u8 conv is 3x3
  const wt = dims(e.args.input_type_shape, 1);
  return { h: y[2], w: y[3], cout: y[1], cin: x[1], k: wt[2] ?? 1 };
}

const byOp = new Map<string, number>();
const byConv = new Map<string, { ms: number; macs: number; nodes: number }>();
for (const e of kernels) {
  const op = e.args.op_name ?? "?";
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000);
  if (/Conv$/.test(op)) {
    const s = convShape(e);
    const key = `${op} ${s.cin}→${s.cout} ${s.k}×${s.k} at ${s.w} wide`;
    const row = byConv.get(key) ?? { ms: 0, macs: 0, nodes: 0 };
    row.ms += e.dur / 1000;
    row.macs += s.h * s.w * s.cout * s.cin * s.k * s.k;
    row.nodes++;
    byConv.set(key, row);
  }
}
const total = [...byOp.values()].reduce((a, b) => a + b, 0);
const lines = [
  `Profile of \`${id}\`: onnxruntime-web ${ort.env.versions.web}, WASM, 1 thread, Node ${process.version}; run ${runs + 1} of ${runs + 1} on two_dancers.jpg: model_run ${(last.dur / 1000).toFixed(0)} ms, kernels ${total.toFixed(0)} ms`,
  "",
  "| operator | ms | share |",
  "|---|---|---|",
  ...[...byOp].sort((a, b) => b[1] - a[1]).map(([op, ms]) => `| ${op} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)} % |`),
  "",
  "| conv (nodes: row bands) | nodes | ms | GMAC | GMAC/s |",
  "|---|---|---|---|---|",
  ...[...byConv]
    .sort((a, b) => b[1].ms - a[1].ms)
    .filter(([, r]) => r.ms >= 2)
    .map(([k, r]) => `| ${k} | ${r.nodes} | ${r.ms.toFixed(1)} | ${(r.macs / 1e9).toFixed(3)} | ${(r.macs / r.ms / 1e6).toFixed(1)} |`),
];
const convMs = [...byConv.values()].reduce((a, r) => a + r.ms, 0);
const convMacs = [...byConv.values()].reduce((a, r) => a + r.macs, 0);
lines.push(`| **all convs** | | **${convMs.toFixed(1)}** | **${(convMacs / 1e9).toFixed(2)}** | **${(convMacs / convMs / 1e6).toFixed(1)}** |`);
const table = lines.join("\n");
console.log(table);
mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/profile-${id}.md`, table + "\n");
