/**
 * The CLI section of `npm run bench` (BENCH_SKIP=cli leaves it out): `edge-u2net mask` over the
 * fixture photos with `--jobs 1` and `--jobs <cores>`, each runtime (onnxruntime-node native,
 * onnxruntime-web WASM) and model (u2netp, u2netp-int8): images/s of the whole command (thread
 * and session start included), the scaling from one job to every core, and accuracy of its
 * masks against the references; beside it the rembg-style peer (bench/rembg-style.ts: stock
 * fp32 graph, onnxruntime-node default threads, one image at a time) and, when bench/peers is
 * installed, @imgly/background-removal-node's per-image time from the peers section.
 *
 * Environment: BENCH_CLI_IMAGES (photos, all), BENCH_CLI_REPEAT (times each photo is listed, 1),
 * BENCH_CLI_CONFIGS (runtime:model list, all four).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { IMAGES, baseName, channelOf, compareMasks, photoNames, referenceMask, summarise } from "./masks";
import { median } from "./stats";

export interface CliRow {
  path: string;
  jobs: number;
  imagesPerSecond: number;
  /** Per image, one job: wall time / images (session start included). */
  msPerImage: number;
  /** CPU time (every thread, user + system) per image: what a run costs, however busy the machine. */
  cpuMsPerImage?: number;
  accuracy: { images: number; mae: number; iou: number; minIou: number };
}

export interface CliResult {
  images: number;
  cores: number;
  rows: CliRow[];
  notes: string[];
}

const CONFIGS = (process.env.BENCH_CLI_CONFIGS ?? "native:u2netp,native:u2netp-int8,wasm:u2netp,wasm:u2netp-int8").split(",").map((config) => {
  const [runtime, model] = config.split(":");
  return { runtime, model };
});

/**
 * CPU seconds (user + system) of this process's waited-for children so far (Linux
 * /proc/self/stat cutime + cstime, at 100 ticks a second): the CPU a run cost, whatever else
 * the machine was doing meanwhile. 0 where /proc is absent.
 */
function childCpuSeconds(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

/** A folder of the photos (each listed `repeat` times under its own name). */
function photoFolder(photos: string[], repeat: number): { dir: string; files: { file: string; photo: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-in-"));
  const files = photos.flatMap((photo) =>
    Array.from({ length: repeat }, (_, k) => {
      const file = repeat > 1 ? `${k}-${photo}` : photo;
      copyFileSync(join(IMAGES, photo), join(dir, file));
      return { file, photo };
    }),
  );
  return { dir, files };
}

function accuracyOf(out: string, files: { file: string; photo: string }[]) {
  return summarise(files.map(({ file, photo }) => compareMasks(channelOf(readFileSync(join(out, `${baseName(file)}.png`)), 0), referenceMask(photo))));
}

function runCli(dir: string, files: { file: string; photo: string }[], jobs: number, runtime: string, model: string, out: string): CliRow {
  const started = performance.now();
  const cpu = childCpuSeconds();
  execFileSync("node", ["bin/edge-u2net.mjs", "mask", dir, "--out", out, "--jobs", String(jobs), "--runtime", runtime, "--model", model, "--quiet"], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, EDGE_U2NET_PREBUILT: "1" },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerImage = ((childCpuSeconds() - cpu) * 1000) / files.length;
  const row = {
    path: `edge-u2net mask, ${runtime === "native" ? "onnxruntime-node" : "onnxruntime-web WASM"}, \`${model}\``,
    jobs,
    imagesPerSecond: files.length / seconds,
    msPerImage: (seconds * 1000) / files.length,
    cpuMsPerImage,
    accuracy: accuracyOf(out, files),
  };
  return row;
}

/** How far the native runtime's masks are from the WASM runtime's (the API's own) on the same photos. */
function nativeVsWasm(native: string, wasm: string, files: { file: string }[]): string {
  let max = 0;
  let differ = 0;
  let pixels = 0;
  for (const { file } of files) {
    const a = channelOf(readFileSync(join(native, `${baseName(file)}.png`)), 0);
    const b = channelOf(readFileSync(join(wasm, `${baseName(file)}.png`)), 0);
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      if (d) differ++;
      max = Math.max(max, d);
    }
    pixels += a.length;
  }
  return `native vs WASM masks (\`u2netp\`, ${files.length} photos): ${((100 * differ) / pixels).toFixed(3)} % of pixels differ, by at most ${max} levels; WASM answers are the API's bytes`;
}

function rembgStyle(dir: string, files: { file: string; photo: string }[]): CliRow {
  const out = join(mkdtempSync(join(tmpdir(), "bench-rembg-")), "r.json");
  const cpu = childCpuSeconds();
  execFileSync("node", ["node_modules/tsx/dist/cli.mjs", "bench/rembg-style.ts", out, ...files.map(({ file }) => join(dir, file))], { stdio: ["ignore", "ignore", "inherit"] });
  const r = JSON.parse(readFileSync(out, "utf8")) as { createMs: number; ms: number[]; accuracy: CliRow["accuracy"] };
  const total = r.createMs + r.ms.reduce((s, v) => s + v, 0);
  return {
    path: "rembg-style: onnxruntime-node, stock fp32 `u2netp.onnx`, default threads, one image at a time",
    jobs: 1,
    imagesPerSecond: (files.length * 1000) / total,
    msPerImage: median(r.ms),
    cpuMsPerImage: ((childCpuSeconds() - cpu) * 1000) / files.length,
    accuracy: r.accuracy,
  };
}

export function benchCli(imgly?: { ms: number[]; accuracy: CliRow["accuracy"] }): CliResult {
  const cores = cpus().length;
  const photos = photoNames().slice(0, Number(process.env.BENCH_CLI_IMAGES ?? 1000));
  const { dir, files } = photoFolder(photos, Number(process.env.BENCH_CLI_REPEAT ?? 1));
  const rows: CliRow[] = [];
  const notes: string[] = [];
  // Built before any timed run (a run finding its bundle stale would build inside the timing).
  execFileSync("node", ["bin/build.mjs"], { stdio: "ignore" });
  console.error("cli: rembg-style peer…");
  rows.push(rembgStyle(dir, files));
  const outputs = new Map<string, string>();
  for (const { runtime, model } of CONFIGS) {
    for (const jobs of [...new Set([1, cores])]) {
      console.error(`cli: ${runtime} ${model} --jobs ${jobs}…`);
      const out = mkdtempSync(join(tmpdir(), "bench-cli-out-"));
      outputs.set(`${runtime} ${model} ${jobs}`, out);
      try {
        rows.push(runCli(dir, files, jobs, runtime, model, out));
      } catch (error) {
        notes.push(`${runtime} ${model} --jobs ${jobs}: ${String((error as { stderr?: string }).stderr ?? error).split("\n")[0]}`);
      }
    }
  }
  if (imgly) rows.push({ path: "@imgly/background-removal-node 'medium' (peers section: its own photos), one image at a time", jobs: 1, imagesPerSecond: 1000 / median(imgly.ms), msPerImage: median(imgly.ms), accuracy: imgly.accuracy });
  else notes.push("@imgly/background-removal-node: not run (BENCH_SKIP=imgly or bench/peers not installed)");
  const [native, wasm] = [outputs.get("native u2netp 1"), outputs.get("wasm u2netp 1")];
  if (native && wasm && rows.some((r) => r.path.includes("WASM") && r.jobs === 1)) notes.push(nativeVsWasm(native, wasm, files));
  for (const path of [dir, ...outputs.values()]) rmSync(path, { recursive: true, force: true });
  return { images: files.length, cores, rows, notes };
}

/** The section's Markdown: one row per path, the scaling and the speed-up against rembg-style. */
export function cliTable(result: CliResult): string[] {
  const rembg = result.rows[0];
  const single = (row: CliRow) => result.rows.find((r) => r.path === row.path && r.jobs === 1);
  return [
    `CLI: \`edge-u2net mask\` over ${result.images} fixture photos, ${result.cores} cores; images/s of the whole command (threads and sessions started inside it)`,
    "",
    "| path | --jobs | images/s | ms per image (one job) | CPU ms per image | scaling vs --jobs 1 | vs rembg-style | MAE vs reference | IoU mean / min |",
    "|---|---|---|---|---|---|---|---|---|",
    ...result.rows.map((r) => {
      const one = single(r);
      const scaling = one && r.jobs > 1 ? `${(r.imagesPerSecond / one.imagesPerSecond).toFixed(2)}×` : "–";
      const vs = r === rembg ? "1×" : `${(r.imagesPerSecond / rembg.imagesPerSecond).toFixed(2)}×`;
      return `| ${r.path} | ${r.jobs} | ${r.imagesPerSecond.toFixed(2)} | ${r.jobs === 1 ? Math.round(r.msPerImage) + " ms" : "–"} | ${r.cpuMsPerImage ? Math.round(r.cpuMsPerImage) : "–"} | ${scaling} | ${vs} | ${r.accuracy.mae.toFixed(4)} | ${r.accuracy.iou.toFixed(4)} / ${r.accuracy.minIou.toFixed(4)} |`;
    }),
    ...result.notes.map((note) => `- ${note}`),
  ];
}
