/**
 * `npm run bench`: the edge path's figures, measured in workerd (`wrangler dev`) on this
 * machine. Prints a Markdown table and writes bench/results/latest.{md,json}.
 *
 *  - bundle size per worker, raw and gzip, from `wrangler deploy --dry-run`;
 *  - the segmenter alone: first request after start (isolate + session + one run) and warm
 *    inference (median and p95 of 10), timed from outside: workerd freezes timers while
 *    JavaScript or WASM computes, so in-worker timing would read 0;
 *  - both workers: end-to-end `POST /remove` of a ~1 MP JPEG (median and p95 of 10);
 *  - the WebAssembly memory each worker holds afterwards (its peak: WASM memory never shrinks).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { PhotonImage, SamplingFilter, resize } from "@cf-wasm/photon";
import { MODELS } from "../worker/shared/models";
import { HEADER_LENGTH, encodeInferRequest } from "../worker/shared/oip";
import { toModelInput } from "../worker/front/pipeline/preprocess";
import { startDev } from "./workerd";
import { median, percentile, timed } from "./stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const MB = 1024 * 1024;
const spec = MODELS.u2netp;

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

function photo(file: string, width?: number, height?: number): { rgba: { width: number; height: number; pixels: Uint8Array }; jpeg: Uint8Array<ArrayBuffer> } {
  let image = PhotonImage.new_from_byteslice(readFileSync(file));
  if (width && height) {
    const resized = resize(image, width, height, SamplingFilter.Lanczos3);
    image.free();
    image = resized;
  }
  const result = {
    rgba: { width: image.get_width(), height: image.get_height(), pixels: image.get_raw_pixels() },
    jpeg: new Uint8Array(image.get_bytes_jpeg(90)),
  };
  image.free();
  return result;
}

async function benchSegmenter() {
  const dev = await startDev(["worker/segmenter/wrangler.toml"], "/v2/health/live");
  try {
    const { rgba } = photo("test/fixtures/images/two_dancers.jpg");
    const { body, headerLength } = encodeInferRequest({
      inputs: [{ name: spec.inputName, datatype: "FP32", shape: [1, 3, spec.size, spec.size], data: new Uint8Array(toModelInput(rgba, spec).buffer) }],
      outputs: [{ name: spec.outputName, binary: true }],
    });
    const infer = async () => {
      const response = await fetch(`${dev.url}/v2/models/${spec.id}/infer`, {
        method: "POST",
        body,
        headers: { [HEADER_LENGTH]: String(headerLength) },
      });
      if (!response.ok) throw new Error(`infer: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    const [first] = await timed(infer);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push((await timed(infer))[0]);
    const stats = (await (await fetch(`${dev.url}/stats`)).json()) as { wasmMemoryBytes: number };
    return { first, warm, wasmBytes: stats.wasmMemoryBytes };
  } finally {
    await dev.stop();
  }
}

async function benchEndToEnd() {
  const dev = await startDev(["wrangler.toml", "worker/segmenter/wrangler.toml"], "/");
  try {
    const { jpeg, rgba } = photo("test/fixtures/images/two_dancers.jpg", 1120, 896);
    const remove = async () => {
      const response = await fetch(`${dev.url}/remove`, { method: "POST", body: jpeg });
      if (!response.ok) throw new Error(`/remove: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    await remove(); // warm-up: session creation is measured above
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await timed(remove))[0]);
    const health = (await (await fetch(`${dev.url}/health`)).json()) as { memory: { frontWasmBytes: number; segmenterWasmBytes: number } };
    return { times, megapixels: (rgba.width * rgba.height) / 1e6, bytes: jpeg.byteLength, memory: health.memory };
  } finally {
    await dev.stop();
  }
}

const front = bundleSize("wrangler.toml");
const segmenterBundle = bundleSize("worker/segmenter/wrangler.toml");
const segmenter = await benchSegmenter();
const e2e = await benchEndToEnd();

const ms = (v: number) => `${Math.round(v)} ms`;
const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
  model: `${spec.id} ${spec.version}`,
  runs: RUNS,
  coldFirstRequestMs: segmenter.first,
  sessionCreationMs: segmenter.first - median(segmenter.warm),
  warmInferenceMedianMs: median(segmenter.warm),
  warmInferenceP95Ms: percentile(segmenter.warm, 95),
  removeMedianMs: median(e2e.times),
  removeP95Ms: percentile(e2e.times, 95),
  removeInput: `${e2e.megapixels.toFixed(2)} MP JPEG, ${(e2e.bytes / 1024).toFixed(0)} KiB`,
  segmenterWasmMB: segmenter.wasmBytes / MB,
  frontWasmMB: e2e.memory.frontWasmBytes / MB,
  bundleMB: { front, segmenter: segmenterBundle },
};

const table = [
  `Benchmark ${result.date.slice(0, 10)} · ${result.machine} · model ${result.model} · workerd via wrangler dev`,
  "",
  "| figure | value |",
  "|---|---|",
  `| cold start: first inference after the segmenter starts (isolate + session + run) | ${ms(result.coldFirstRequestMs)} |`,
  `| of which session creation (first − warm median) | ${ms(result.sessionCreationMs)} |`,
  `| warm inference 320×320, median / p95 of ${RUNS} (HTTP round trip included) | ${ms(result.warmInferenceMedianMs)} / ${ms(result.warmInferenceP95Ms)} |`,
  `| end-to-end POST /remove, ${result.removeInput}, median / p95 of ${RUNS} | ${ms(result.removeMedianMs)} / ${ms(result.removeP95Ms)} |`,
  `| segmenter WASM memory (ORT) after the runs | ${result.segmenterWasmMB.toFixed(1)} MiB |`,
  `| front WASM memory (photon) after the runs | ${result.frontWasmMB.toFixed(1)} MiB |`,
  `| front bundle, raw / gzip | ${front.raw.toFixed(2)} / ${front.gzip.toFixed(2)} MiB |`,
  `| segmenter bundle, raw / gzip | ${segmenterBundle.raw.toFixed(2)} / ${segmenterBundle.gzip.toFixed(2)} MiB |`,
].join("\n");

console.log(table);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify(result, null, 2) + "\n");
writeFileSync("bench/results/latest.md", table + "\n");
