/**
 * Model check: runs u2netp (stock fp32 or the edge build) in onnxruntime-web's WASM backend
 * in Node on the fixture photos and prints a Markdown table of accuracy, speed and WASM memory.
 *
 *   npx tsx bench/model-check.ts [--model stock|edge|<dir with u2netp-edge.*>|<self-contained .onnx>] [--images N]
 *        [--level disabled|basic|extended|all] [--pregrow BYTES] [--mem-pattern] [--only a.jpg,b.png] [--json out.json]
 *
 * Accuracy vs the stock model uses the stock outputs cached in the OS temp dir (made by a
 * `--model stock` child process when missing, so the two models never share one WASM heap).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resizeMask } from "../core/mask";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";

// ---- WebAssembly.Memory capture -----------------------------------------------------------
// ORT's Emscripten module (threaded build) creates its heap in JS with
// `new WebAssembly.Memory({ shared: true, ... })` and imports it, so a subclass installed on
// the global before ORT loads sees that object; photon's memory is created inside its own
// module and is not shared. `grow` is wrapped on the prototype to log every growth.
const memories: WebAssembly.Memory[] = [];
const growLog: { bytes: number; at: string }[] = [];
let phase = "load";
const NativeMemory = WebAssembly.Memory;
class TrackedMemory extends NativeMemory {
  constructor(desc: WebAssembly.MemoryDescriptor) {
    // --pregrow: ORT's heap starts at that size, as the segmenter does (worker/segmenter/ort-runtime.ts)
    super(pregrow && desc.shared && desc.initial * 65536 < pregrow ? { ...desc, initial: Math.ceil(pregrow / 65536) } : desc);
    memories.push(this);
  }
}
(WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = TrackedMemory;
const nativeGrow = NativeMemory.prototype.grow;
NativeMemory.prototype.grow = function (this: WebAssembly.Memory, delta: number): number {
  const r = nativeGrow.call(this, delta);
  if (isOrtMemory(this)) growLog.push({ bytes: this.buffer.byteLength, at: phase });
  return r;
};
function isOrtMemory(m: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== "undefined" && m.buffer instanceof SharedArrayBuffer;
}
function ortMemory(): WebAssembly.Memory {
  const m = memories.find(isOrtMemory);
  if (!m) throw new Error("ORT's WebAssembly.Memory was not captured");
  return m;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const require = createRequire(import.meta.url);

// ---- arguments ----------------------------------------------------------------------------
const argv = process.argv.slice(2);
function arg(name: string, def?: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
}
const modelArg = arg("model", "edge")!;
const maxImages = Number(arg("images", "1000"));
const level = arg("level", "disabled") as "disabled" | "basic" | "extended" | "all";
const pregrow = Number(arg("pregrow", "0"));
const memPattern = argv.includes("--mem-pattern");
const jsonOut = arg("json");
const writeCacheOnly = argv.includes("--write-cache");

const IMAGES = join(root, "test/fixtures/images");
const MASKS = join(root, "test/fixtures/masks");
const CACHE = join(tmpdir(), "u2netp-stock-outputs");
const S = 320;

// ---- image helpers ------------------------------------------------------------------------
interface Rgba {
  w: number;
  h: number;
  px: Uint8Array;
}

/** The product's own pre-processing (core/preprocess.ts): out-of-image taps weigh 0, as the authors'. */
const preprocess = (img: Rgba): Float32Array => toModelInput({ width: img.w, height: img.h, pixels: img.px }, MODELS.u2netp);

/** Min-max normalisation of the model output. */
function normalise(y: Float32Array): Float32Array {
  let mn = Infinity;
  let mx = -Infinity;
  for (const v of y) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const out = new Float32Array(y.length);
  const d = mx - mn || 1;
  for (let i = 0; i < y.length; i++) out[i] = (y[i] - mn) / d;
  return out;
}

/** Mask back to the image size with the product's own code (core/mask.ts: Pillow's BILINEAR). */
function maskToSize(norm: Float32Array, w: number, h: number): Uint8Array {
  const m8 = new Uint8Array(S * S);
  for (let i = 0; i < S * S; i++) m8[i] = Math.trunc(norm[i] * 255);
  return resizeMask(m8, S, S, w, h);
}

// ---- ORT ------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const { PhotonImage } = await import("@cf-wasm/photon");
  const ort = await import("onnxruntime-web/wasm");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // The bundle would fetch the .wasm by URL; in Node hand it the bytes.
  ort.env.wasm.wasmBinary = readFileSync(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));

  const only = arg("only")?.split(",");
  const names = readdirSync(IMAGES)
    .filter((f) => /\.(jpe?g|png)$/i.test(f) && (!only || only.includes(f)))
    .sort()
    .slice(0, maxImages);

  const isStock = modelArg === "stock";
  // A self-contained .onnx (weights inline, e.g. models/u2netp-int8.onnx) runs as it is.
  const isGraphFile = modelArg.endsWith(".onnx");
  const modelDir = isStock || isGraphFile ? null : modelArg === "edge" ? join(root, "models") : resolve(modelArg);

  if (!isStock && !names.every((n) => existsSync(join(CACHE, basename(n, extname(n)) + ".f32")))) {
    // Stock outputs are produced in a separate process: one WASM heap per model.
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--model", "stock", "--write-cache", "--images", String(maxImages)], {
      stdio: "inherit",
    });
  }

  phase = "session";
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  const t0 = performance.now();
  if (isStock) {
    session = await ort.InferenceSession.create(readFileSync(join(root, "models/u2netp.onnx")), {
      executionProviders: ["wasm"],
    });
  } else if (isGraphFile) {
    session = await ort.InferenceSession.create(readFileSync(resolve(modelArg)), {
      executionProviders: ["wasm"],
      graphOptimizationLevel: level,
      enableMemPattern: memPattern,
      enableCpuMemArena: false,
      executionMode: "sequential",
    });
  } else {
    const { expandWeights } = await import("../core/weights");
    const graph = readFileSync(join(modelDir!, "u2netp-edge.onnx"));
    const index = JSON.parse(readFileSync(join(modelDir!, "u2netp-edge.weights.json"), "utf8"));
    const packed = readFileSync(join(modelDir!, "u2netp-edge.weights.bin"));
    const data = expandWeights(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), index);
    session = await ort.InferenceSession.create(new Uint8Array(graph), {
      executionProviders: ["wasm"],
      graphOptimizationLevel: level,
      enableMemPattern: false,
      enableCpuMemArena: false,
      executionMode: "sequential",
      externalData: [{ path: index.externalDataPath, data }],
    });
  }
  const createMs = performance.now() - t0;
  const mem = ortMemory();
  const afterCreate = mem.buffer.byteLength;
  phase = "run";

  interface Row {
    name: string;
    w: number;
    h: number;
    ms: number;
    maxAbs: number;
    meanAbs: number;
    nmae: number;
    iou320: number;
    refMae: number;
    refIou: number;
    mem: number;
  }
  const rows: Row[] = [];
  if (writeCacheOnly) mkdirSync(CACHE, { recursive: true });
  for (const name of names) {
    const bytes = readFileSync(join(IMAGES, name));
    const img = PhotonImage.new_from_byteslice(new Uint8Array(bytes));
    const rgba: Rgba = { w: img.get_width(), h: img.get_height(), px: img.get_raw_pixels() };
    img.free();
    const input = preprocess(rgba);
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input, [1, 3, S, S]) };
    const t = performance.now();
    const res = await session.run(feeds, ["1959"]);
    const ms = performance.now() - t;
    const out = res["1959"];
    const y = new Float32Array(out.data as Float32Array);
    out.dispose();
    const base = basename(name, extname(name));
    if (writeCacheOnly) {
      writeFileSync(join(CACHE, base + ".f32"), Buffer.from(y.buffer));
    }
    // vs stock fp32 (raw output and normalised map at 320x320)
    let maxAbs = 0;
    let meanAbs = 0;
    let nmae = 0;
    let inter = 0;
    let uni = 0;
    const norm = normalise(y);
    const cachePath = join(CACHE, base + ".f32");
    if (existsSync(cachePath)) {
      const ref = new Float32Array(readFileSync(cachePath).buffer.slice(0));
      const nref = normalise(ref);
      for (let i = 0; i < y.length; i++) {
        const d = Math.abs(y[i] - ref[i]);
        if (d > maxAbs) maxAbs = d;
        meanAbs += d;
        nmae += Math.abs(norm[i] - nref[i]);
        const a = norm[i] >= 0.5;
        const b = nref[i] >= 0.5;
        if (a && b) inter++;
        if (a || b) uni++;
      }
      meanAbs /= y.length;
      nmae /= y.length;
    }
    // vs the authors' reference mask at the image size
    const mask = maskToSize(norm, rgba.w, rgba.h);
    const refImg = PhotonImage.new_from_byteslice(new Uint8Array(readFileSync(join(MASKS, base + ".png"))));
    const refPx = refImg.get_raw_pixels();
    refImg.free();
    let mae = 0;
    let ri = 0;
    let ru = 0;
    for (let i = 0; i < mask.length; i++) {
      const r = refPx[i * 4];
      mae += Math.abs(mask[i] - r);
      const a = mask[i] >= 128;
      const b = r >= 128;
      if (a && b) ri++;
      if (a || b) ru++;
    }
    rows.push({
      name,
      w: rgba.w,
      h: rgba.h,
      ms,
      maxAbs,
      meanAbs,
      nmae,
      iou320: uni ? inter / uni : 1,
      refMae: mae / mask.length / 255,
      refIou: ru ? ri / ru : 1,
      mem: mem.buffer.byteLength,
    });
  }
  if (writeCacheOnly) return;

  const f = (v: number, d = 4) => v.toFixed(d);
  const e = (v: number) => v.toExponential(2);
  const MB = (b: number) => (b / 1e6).toFixed(1);
  const label = isStock ? "stock fp32" : `${modelDir ?? modelArg} (level ${level})`;
  console.log(`\n### u2netp ${label}\n`);
  console.log("| image | size | ms | max abs vs fp32 | mean abs vs fp32 | norm MAE vs fp32 | IoU@0.5 vs fp32 | MAE vs ref | IoU@128 vs ref | WASM MB |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.w}x${r.h} | ${r.ms.toFixed(0)} | ${e(r.maxAbs)} | ${e(r.meanAbs)} | ${f(r.nmae)} | ${f(r.iou320)} | ${f(r.refMae)} | ${f(r.refIou)} | ${MB(r.mem)} |`);
  }
  const mean = (k: keyof Row) => rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length;
  const min = (k: keyof Row) => Math.min(...rows.map((r) => r[k] as number));
  const maxOf = (k: keyof Row) => Math.max(...rows.map((r) => r[k] as number));
  const msSorted = rows.map((r) => r.ms).sort((a, b) => a - b);
  const median = msSorted[Math.floor(msSorted.length / 2)];
  console.log(
    `| **mean** (${rows.length}) | | ${mean("ms").toFixed(0)} (median ${median.toFixed(0)}) | max ${e(maxOf("maxAbs"))} | ${e(mean("meanAbs"))} | ${f(mean("nmae"))} | min ${f(min("iou320"))} | ${f(mean("refMae"))} | min ${f(min("refIou"))} (mean ${f(mean("refIou"))}) | ${MB(mem.buffer.byteLength)} |`,
  );
  const peak = mem.buffer.byteLength;
  console.log(
    `\nWASM byteLength: after session creation ${afterCreate} B (${MB(afterCreate)} MB)` +
      (pregrow ? ` (ORT's heap started at --pregrow ${pregrow} B)` : "") +
      `, peak after runs ${peak} B (${MB(peak)} MB, ${(peak / 2 ** 20).toFixed(1)} MiB); session creation ${createMs.toFixed(0)} ms`,
  );
  console.log(`grow events: ${growLog.map((g) => `${g.at}:${MB(g.bytes)}`).join(" ")}`);
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify(
        {
          model: label,
          images: rows.length,
          wasmBytesAfterCreate: afterCreate,
          wasmBytesPeak: peak,
          pregrow: pregrow || null,
          createMs: Math.round(createMs),
          msMean: Math.round(mean("ms")),
          msMedian: Math.round(median),
          ms: rows.map((r) => Math.round(r.ms)),
          vsFp32: { maxAbs: maxOf("maxAbs"), meanAbs: mean("meanAbs"), normMae: mean("nmae"), minIoU05: min("iou320") },
          vsReference: { mae: mean("refMae"), minIoU128: min("refIou"), meanIoU128: mean("refIou") },
          grow: growLog,
        },
        null,
        1,
      ),
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
