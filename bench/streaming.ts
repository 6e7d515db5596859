/**
 * Streaming end to end: both workers in workerd (`wrangler dev`), `POST /remove` of a camera-
 * sized photo from 1 to 48 MP, as a cutout (PNG) and on white (JPEG). Per size: the total (last
 * byte of the answer read), the time to first byte (first chunk of the body read) and the time
 * beyond inference per megapixel, the figure the streaming pipeline is judged by.
 *
 * workerd freezes its timers while JavaScript or WASM computes, so neither worker can time its
 * own inference; it is measured from outside in the same run instead: a 320×320 `POST /mask`
 * (the model's own input size, so the front worker barely works) before and after each timed
 * request, so that the probes share the machine's load with the requests they are set against.
 * Its p50 (inference, the service-binding transfer and the fixed cost of a request) is what is
 * subtracted.
 *
 * The photos are the fixture `juliatrotti_17.jpg` scaled band by band with the product's own
 * row resizer and JPEG encoder (test/origin/large.ts; made once, kept in test/artifacts/large).
 */
import { fetchOnce, startDev } from "./workerd";
import { median, percentile } from "./stats";

const BOTH = ["wrangler.toml", "worker/segmenter/wrangler.toml"];

/** The sizes: 1 and 4 MP (as the other end-to-end table), 12 (4:3 phone), 24 (3:2 camera) and 48 MP. */
export const STREAM_SIZES: [number, number][] = [
  [1120, 896],
  [2240, 1792],
  [4032, 3024],
  [6000, 4000],
  [8000, 6000],
];

/** The requests timed at each size. */
export const STREAM_VARIANTS = [
  { name: "cutout, PNG", query: "" },
  { name: "on white, JPEG", query: "?bg=ffffff&format=jpeg" },
] as const;

/** The goal: at most this many ms per megapixel beyond inference. */
export const GOAL_MS_PER_MP = 40;

/** Above this many pixels, at most 3 timed runs (a 48 MP run takes seconds). */
const FEW_RUNS_ABOVE = 12.5e6;

/** The inference probe: the model's input size. */
const PROBE: [number, number] = [320, 320];

/** The camera-sized photo `<w>x<h>.jpg` (baseline, quality 90, 4:2:0), made once and kept on disk. */
async function largePhoto(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  // A computed specifier: test/ is type-checked by its own project (it imports `.ts` paths).
  const module: string = "../test/origin/large.ts";
  const { large } = (await import(module)) as { large: (name: string) => Promise<Response> };
  const response = await large(`${width}x${height}.jpg`);
  if (!response.ok) throw new Error(`large ${width}x${height}.jpg: ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

interface Timing {
  /** Request sent → first chunk of the body read. */
  firstByte: number;
  /** Request sent → last byte read. */
  total: number;
  bytes: number;
}

export interface StreamRow {
  variant: string;
  width: number;
  height: number;
  megapixels: number;
  /** The JPEG POSTed. */
  inputBytes: number;
  /** The answer's size (the first run). */
  outputBytes: number;
  totals: number[];
  firstBytes: number[];
  /** The inference probes taken around this row's runs (one more than the runs). */
  inference: number[];
  /** p50 total, p95 total (null under 3 runs), p50 first byte, p50 inference, (total − inference) / MP. */
  p50: number;
  p95: number | null;
  firstByteP50: number;
  inferenceP50: number;
  beyondPerMp: number;
}

export interface StreamResult {
  model: string;
  rows: StreamRow[];
  /** `/health` after the runs. */
  memory: { frontWasmBytes: number; frontPipelinePeakBytes: number; segmenterWasmBytes: number | null };
}

/**
 * POSTs `body` to `url`, reading the answer as it streams (nothing of it is kept). Once more
 * when the connection drops: wrangler dev restarts the workers when a source file changes.
 */
async function post(url: string, body: Uint8Array<ArrayBuffer>): Promise<Timing> {
  try {
    return await postOnce(url, body);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`  ${url}: ${error.message} (${String((error as { cause?: unknown }).cause)}), once more`);
    await new Promise((r) => setTimeout(r, 2000));
    return postOnce(url, body);
  }
}

async function postOnce(url: string, body: Uint8Array<ArrayBuffer>): Promise<Timing> {
  const start = performance.now();
  const response = await fetchOnce(url, { method: "POST", body });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let firstByte = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0 && value.byteLength > 0) firstByte = performance.now() - start;
    bytes += value.byteLength;
  }
  return { firstByte, total: performance.now() - start, bytes };
}

/**
 * Both workers with `EDGE_MODEL` = the given model, in a fresh isolate: for each size and
 * variant one warm-up and `runs` timed requests (at most 3 above 12 MP) between inference
 * probes; then the front worker's memory from `/health`.
 */
export async function benchStreaming(runs: number, edgeModel: string, log: (line: string) => void = console.error): Promise<StreamResult> {
  const photos = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const [w, h] of [PROBE, ...STREAM_SIZES]) photos.set(`${w}x${h}`, await largePhoto(w, h));
  const probePhoto = photos.get(PROBE.join("x"))!;
  const dev = await startDev(BOTH, "/", { EDGE_MODEL: edgeModel }, true);
  try {
    const probe = async () => (await post(`${dev.url}/mask`, probePhoto)).total;
    await probe(); // isolate, session, first run
    await probe();
    const rows: StreamRow[] = [];
    for (const [width, height] of STREAM_SIZES) {
      const photo = photos.get(`${width}x${height}`)!;
      const megapixels = (width * height) / 1e6;
      const n = width * height > FEW_RUNS_ABOVE ? Math.min(runs, 3) : runs;
      for (const variant of STREAM_VARIANTS) {
        const url = `${dev.url}/remove${variant.query}`;
        const warm = await post(url, photo); // codec memories grow to this size once
        const [totals, firstBytes, inference] = [[], [], [await probe()]] as number[][];
        for (let i = 0; i < n; i++) {
          const t = await post(url, photo);
          totals.push(t.total);
          firstBytes.push(t.firstByte);
          inference.push(await probe());
        }
        const [p50, inferenceP50] = [median(totals), median(inference)];
        const row: StreamRow = {
          variant: variant.name,
          width,
          height,
          megapixels,
          inputBytes: photo.byteLength,
          outputBytes: warm.bytes,
          totals,
          firstBytes,
          inference,
          p50,
          p95: n >= 3 ? percentile(totals, 95) : null,
          firstByteP50: median(firstBytes),
          inferenceP50,
          beyondPerMp: (p50 - inferenceP50) / megapixels,
        };
        rows.push(row);
        log(
          `  ${edgeModel} ${variant.name} ${width}×${height}: total ${Math.round(p50)} ms, first byte ${Math.round(row.firstByteP50)} ms, inference ${Math.round(inferenceP50)} ms, beyond ${row.beyondPerMp.toFixed(1)} ms/MP (${n} runs)`,
        );
      }
    }
    const health = await fetch(`${dev.url}/health`, { signal: AbortSignal.timeout(60_000) })
      .then((response) => response.json() as Promise<{ edgeModel: string; memory: StreamResult["memory"] }>)
      .catch((error: unknown) => {
        throw new Error(`/health after the runs: ${String(error)}; the workers' log ends:\n${dev.log().slice(-4000)}`);
      });
    if (health.edgeModel !== edgeModel) throw new Error(`EDGE_MODEL=${edgeModel} but the front runs ${health.edgeModel}`);
    const { frontWasmBytes, frontPipelinePeakBytes, segmenterWasmBytes } = health.memory;
    return { model: edgeModel, rows, memory: { frontWasmBytes, frontPipelinePeakBytes, segmenterWasmBytes } };
  } finally {
    await dev.stop();
  }
}

const MiB = 2 ** 20;
const ms = (v: number | null) => (v === null ? "–" : `${Math.round(v)} ms`);

/** The Markdown table "Streaming end to end", one row per model, variant and size. */
export function streamingTable(results: StreamResult[], runs: number): string[] {
  if (!results.length) return [];
  return [
    `Streaming end to end: both workers (workerd), \`POST /remove\` of the fixture photo scaled to each size (JPEG q90, 4:2:0), ${runs} timed runs (${Math.min(runs, 3)} above 12 MP) after one warm-up; first byte = the first chunk of the body read; inference = p50 of a 320×320 \`POST /mask\` before and after each run (the model, the service-binding transfer and the fixed cost of a request; workerd's frozen timers keep the workers from timing it themselves); beyond inference = (total p50 − inference p50) / MP; goal ≤ ${GOAL_MS_PER_MP} ms/MP.`,
    "",
    "| EDGE_MODEL | request | size | JPEG in / answer | total p50 / p95 | first byte p50 | inference p50 | beyond inference | goal ≤ 40 ms/MP |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.flatMap((r) =>
      r.rows.map(
        (row) =>
          `| \`${r.model}\` | ${row.variant} | ${row.width}×${row.height} (${row.megapixels.toFixed(1)} MP) | ${(row.inputBytes / MiB).toFixed(1)} / ${(row.outputBytes / MiB).toFixed(1)} MiB | ${ms(row.p50)} / ${ms(row.p95)} | ${ms(row.firstByteP50)} | ${ms(row.inferenceP50)} | ${row.beyondPerMp.toFixed(1)} ms/MP | ${row.beyondPerMp <= GOAL_MS_PER_MP ? "yes" : "no"} |`,
      ),
    ),
    "",
    "| front worker after the runs (`/health`), EDGE_MODEL = | " + results.map((r) => `\`${r.model}\``).join(" | ") + " |",
    `|---|${results.map(() => "---").join("|")}|`,
    `| WASM memory (\`memory.frontWasmBytes\`) | ${results.map((r) => `${(r.memory.frontWasmBytes / MiB).toFixed(1)} MiB`).join(" | ")} |`,
    `| pipeline peak (\`memory.frontPipelinePeakBytes\`) | ${results.map((r) => `${(r.memory.frontPipelinePeakBytes / MiB).toFixed(1)} MiB`).join(" | ")} |`,
  ];
}
