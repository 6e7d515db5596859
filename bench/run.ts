/**
 * `npm run bench`: the product's edge path against its peers, side by side on the same photos
 * and this machine. Prints Markdown and writes bench/results/latest.{md,json}.
 *
 *  - edge: every u2netp variant the segmenter serves, each in a fresh workerd isolate (first
 *    request = isolate + session + run; warm inference; accuracy of its masks on the fixture
 *    photos against the references; WASM memory held afterwards);
 *  - peers: plain onnxruntime-web fp32 in Node, @imgly/background-removal-node (bench/peers.ts),
 *    and this product's int8 graph in Node (the ORT-web peer's own runtime);
 *  - both workers, for each edge model (`EDGE_MODEL`): `POST /remove` p50/p95 at about 0.25, 1
 *    and 4 MP, cold first request, WASM memory of both workers; the cache hit (`GET ?url=` under
 *    Miniflare); bundle sizes;
 *  - streaming end to end (bench/streaming.ts), for each edge model: `POST /remove` (cutout PNG,
 *    and `?bg=ffffff&format=jpeg`) at 1, 4, 12, 24 and 48 MP: total, time to first byte, time
 *    beyond inference per MP against the goal (≤ 40 ms/MP); the front worker's memory after.
 *
 * Environment: BENCH_RUNS (timed runs per figure, 5), BENCH_IMAGES (fixture photos for
 * accuracy, all), BENCH_PEER_IMAGES (photos for @imgly, 4), BENCH_IMGLY_MODEL (medium|small),
 * BENCH_SKIP (comma list of: edge, node, ortweb, imgly, e2e, stream, cache, bundle, cli, browser, formats).
 * The formats section (bench/formats.ts: bytes, time, memory and SSIM per output format) has its own settings there.
 * The browser section (bench/browser-fps.ts: the webcam page's frames/s in headless Chromium)
 * has its own settings there.
 * The CLI section (bench/cli.ts) has its own settings there.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, MODELS } from "../core/models";
import { benchCacheHit, benchEndToEnd, benchSegmenter, segmenterModels, E2E_SIZES, WORKERD_PEER } from "./edge";
import { edgeGraphInNode, imgly, ortWebNode, type PeerResult } from "./peers";
import { photoNames } from "./masks";
import { benchStreaming, streamingTable, type StreamResult } from "./streaming";
import { median, percentile } from "./stats";
import { benchCli, cliTable } from "./cli";
import { benchBrowserFps, browserFpsTable } from "./browser-fps";
import { benchFormats, formatsTable } from "./formats";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const photos = photoNames().slice(0, Number(process.env.BENCH_IMAGES ?? 1000));
const peerPhotos = photos.slice(0, Number(process.env.BENCH_PEER_IMAGES ?? 4));
const imglyModel = (process.env.BENCH_IMGLY_MODEL ?? "medium") as "small" | "medium";
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
// End to end per EDGE_MODEL: the default first, then the other edge models.
const edgeModels = [DEFAULT_MODEL, ...Object.keys(MODELS).filter((id) => id !== DEFAULT_MODEL)];
const MiB = 2 ** 20;

function bundleSize(config: string): { raw: number; gzip: number } {
  const out = mkdtempSync(join(tmpdir(), "bundle-"));
  const log = execFileSync("node", ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "-c", config, "--outdir", out], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
  if (!match) throw new Error(`no size in wrangler's output:\n${log}`);
  return { raw: Number(match[1]) / 1024, gzip: Number(match[2]) / 1024 };
}

interface PathRow extends PeerResult {
  path: string;
  firstMs?: number;
  /** Against the float model's masks (bench/quant-metrics.ts), edge rows only. */
  vsFloat?: Awaited<ReturnType<typeof benchSegmenter>>["vsFloat"];
}

const rows: PathRow[] = [];

/** A row for a model served in workerd (bench/edge.ts benchSegmenter). */
function workerdRow(path: string, r: Awaited<ReturnType<typeof benchSegmenter>>, note: string): PathRow {
  const memory = `WASM ${(r.wasmBytes / MiB).toFixed(1)} MiB`;
  return { path, firstMs: r.first, createMs: r.first - median(r.warm), ms: r.warm, accuracy: r.accuracy, vsFloat: r.vsFloat, memory, note };
}
const skipped: Record<string, string> = {};

if (!skip.has("edge")) {
  for (const spec of await segmenterModels(Object.values(MODELS).filter((m) => m.id.startsWith("u2netp")))) {
    console.error(`edge ${spec.id}…`);
    const r = await benchSegmenter(spec, RUNS, photos);
    rows.push(workerdRow(`this product, edge \`${spec.id}\` (workerd)`, r, `segmenter alone, HTTP round trip included; session ${JSON.stringify(spec.session)}`));
  }
}
if (!skip.has("node")) {
  console.error("u2netp-int8 graph in Node…");
  rows.push({ path: "this product's `u2netp-int8` graph, onnxruntime-web (Node)", ...edgeGraphInNode(MODELS["u2netp-int8"], "models/u2netp-int8.onnx", photos.length) });
}
if (!skip.has("ortweb")) {
  console.error("onnxruntime-web fp32 in Node…");
  rows.push({ path: "onnxruntime-web fp32 (Node)", ...ortWebNode(photos.length) });
  console.error("onnxruntime-web fp32 in workerd…");
  const r = await benchSegmenter(MODELS.u2netp, RUNS, photos, WORKERD_PEER);
  const note = "stock u2netp.onnx, default options, 1 thread, in workerd served by the segmenter's own app (bench/workerd-peer; local only: over a deployed isolate's 128 MB), HTTP round trip included";
  rows.push({ ...workerdRow("onnxruntime-web fp32 (workerd)", r, note), vsFloat: undefined });
}
if (!skip.has("imgly")) {
  console.error(`@imgly/background-removal-node (${imglyModel})…`);
  const r = imgly(imglyModel, peerPhotos);
  if ("skipped" in r) skipped.imgly = r.skipped;
  else rows.push({ path: `@imgly/background-removal-node '${imglyModel}' (Node)`, ...r });
}
const e2e: Awaited<ReturnType<typeof benchEndToEnd>>[] = [];
if (!skip.has("e2e")) {
  for (const model of edgeModels) {
    console.error(`end to end, EDGE_MODEL=${model}…`);
    e2e.push(await benchEndToEnd(RUNS, model));
  }
}
const streaming: StreamResult[] = [];
if (!skip.has("stream")) {
  for (const model of edgeModels) {
    console.error(`streaming end to end, EDGE_MODEL=${model}…`);
    streaming.push(await benchStreaming(RUNS, model));
  }
}
let cache: Awaited<ReturnType<typeof benchCacheHit>> | { skipped: string } | null = null;
if (!skip.has("cache")) {
  console.error("cache hit…");
  cache = await benchCacheHit().catch((error: unknown) => ({ skipped: String(error).split("\n")[0] }));
}
const imglyRow = rows.find((r) => r.path.startsWith("@imgly"));
const cli = skip.has("cli") ? null : benchCli(imglyRow);
const browserFps = skip.has("browser") ? null : await benchBrowserFps();
const formats = skip.has("formats") ? null : await benchFormats();
const bundles = skip.has("bundle") ? null : { front: bundleSize("wrangler.toml"), segmenter: bundleSize("worker/segmenter/wrangler.toml") };

const ms = (v: number | undefined) => (v === undefined ? "–" : `${Math.round(v)} ms`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const result = { date: new Date().toISOString(), machine, runs: RUNS, photos: photos.length, rows, skipped, e2e, streaming, cache, bundles, cli, browserFps, formats };

// Speed-up against the plain onnxruntime-web fp32 peer of the same run: in Node, and in workerd
// (the product's own runtime, whose WASM bounds checks cost int8 kernels more than fp32 ones).
const peerIn = (runtime: string) => rows.find((r) => r.path === `onnxruntime-web fp32 (${runtime})`);
const ratio = (peer: PathRow | undefined, r: PathRow) => (peer && r !== peer ? `${(median(peer.ms) / median(r.ms)).toFixed(2)}×` : "–");
const speedup = (r: PathRow) => `${ratio(peerIn("Node"), r)} / ${ratio(peerIn("workerd"), r)}`;
const vsFloat = (r: PathRow, set: "heldOut" | "all") => (r.vsFloat ? `${r.vsFloat[set].minIou.toFixed(4)} / ${r.vsFloat[set].meanMae.toFixed(4)}` : "–");
const lines = [
  `Benchmark ${result.date.slice(0, 10)} · ${machine} · ${RUNS} timed runs per figure · accuracy on ${photos.length} fixture photos (@imgly: ${peerPhotos.length})`,
  "",
  "| path | first request / session | per image, median / p95 | vs ORT-web fp32: in Node / in workerd | MAE vs reference | IoU mean / min | vs fp32 masks, held-out: min IoU / mean MAE | all photos: min IoU / mean MAE | peak memory |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.path} | ${ms(r.firstMs)} / ${ms(r.createMs)} | ${ms(median(r.ms))} / ${ms(percentile(r.ms, 95))} | ${speedup(r)} | ${r.accuracy.mae.toFixed(4)} | ${r.accuracy.iou.toFixed(4)} / ${r.accuracy.minIou.toFixed(4)} | ${vsFloat(r, "heldOut")} | ${vsFloat(r, "all")} | ${r.memory} |`,
  ),
  ...Object.entries(skipped).map(([peer, why]) => `| ${peer} | skipped: ${why} | | | | | | | |`),
  "",
  ...rows.map((r) => `- ${r.path}: ${r.note}`),
];
if (e2e.length) {
  const cells = (f: (run: (typeof e2e)[number]) => string) => e2e.map(f).join(" | ");
  lines.push(
    "",
    `| end to end (both workers), EDGE_MODEL = | ${e2e.map((run) => `\`${run.model}\``).join(" | ")} |`,
    `|---|${e2e.map(() => "---").join("|")}|`,
    `| cold: first POST /remove after start, ${E2E_SIZES[1].join("×")} | ${cells((run) => ms(run.coldMs))} |`,
    ...E2E_SIZES.map((_, i) => {
      const s = e2e[0].sizes[i];
      return `| POST /remove ${s.width}×${s.height} (${s.megapixels.toFixed(2)} MP, ${(s.bytes / 1024).toFixed(0)} KiB JPEG), p50 / p95 of ${RUNS} | ${cells((run) => `${ms(median(run.sizes[i].times))} / ${ms(percentile(run.sizes[i].times, 95))}`)} |`;
    }),
    `| WASM memory after the runs: segmenter (ORT) / front (codecs) | ${cells((run) => `${(run.memory.segmenterWasmBytes / MiB).toFixed(1)} / ${(run.memory.frontWasmBytes / MiB).toFixed(1)} MiB`)} |`,
  );
}
if (streaming.length) lines.push("", ...streamingTable(streaming, RUNS));
if (cli) lines.push("", ...cliTable(cli));
if (browserFps) lines.push("", ...browserFpsTable(browserFps));
if (formats) lines.push("", ...formatsTable(formats));
if (cache || bundles) {
  lines.push("", "| figure | value |", "|---|---|");
}
if (cache) {
  lines.push(
    "skipped" in cache
      ? `| cache hit | skipped: ${cache.skipped} |`
      : cache.hitHeader === "hit"
        ? `| cache hit: GET /remove?url= again (Miniflare, fake origin; first ${ms(cache.missMs)}, x-cache ${cache.missHeader}) | ${ms(cache.hitMs)} |`
        : `| cache hit | pending: no \`x-cache: hit\` on a repeated GET /remove?url= (got ${cache.hitHeader ?? "no header"}) |`,
  );
}
if (bundles) {
  lines.push(
    `| bundle, front raw / gzip | ${bundles.front.raw.toFixed(2)} / ${bundles.front.gzip.toFixed(2)} MiB |`,
    `| bundle, segmenter raw / gzip | ${bundles.segmenter.raw.toFixed(2)} / ${bundles.segmenter.gzip.toFixed(2)} MiB |`,
  );
}
const table = lines.join("\n");
console.log(table);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify(result, null, 2) + "\n");
writeFileSync("bench/results/latest.md", table + "\n");
