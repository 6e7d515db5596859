/**
 * Frames per second of the webcam page in headless Chromium on this machine (the fake camera:
 * a fixture photo, 640×480, processed at 480×360), one row per backend and mode:
 * WASM on 1 thread and threaded (fp32 320², "exact"), int8 320² ("quality"), the real-time mode
 * (int8 160², smoothed), and WebGPU on SwiftShader (one frame: a correctness check, not a speed).
 * Accuracy of each graph against the 320² references: bench/browser-accuracy.ts.
 *
 *   npx tsx bench/browser-fps.ts        # or within `npm run bench` (BENCH_SKIP=browser skips it)
 * Environment: BENCH_FPS_FRAMES (frames timed per row, 20), BENCH_WEBGPU=0 (skip the WebGPU row),
 * BENCH_FPS_MODES (comma list of modes to run: exact, quality, realtime; all by default).
 */
import { cpus } from "node:os";
import { resolve } from "node:path";
import type { Browser } from "playwright-core";

/**
 * The e2e tests' browser, fake camera and product start-up, reused (not copied). Loaded by
 * computed specifiers: test/e2e has its own tsconfig (DOM types), which checks them.
 */
const E2E: string = "../test/e2e/";
const { ARTIFACTS, launchChromium } = (await import(E2E + "browser.ts")) as {
  ARTIFACTS: string;
  launchChromium(extraArgs: string[], options: { webgpu?: boolean }): Promise<Browser>;
};
const { writeFakeCamera } = (await import(E2E + "fake-camera.ts")) as { writeFakeCamera(photo: string, dir: string): Promise<string> };
const { startProduct } = (await import(E2E + "product.ts")) as { startProduct(): Promise<{ url: string; stop(): Promise<void> }> };

const FRAMES = Number(process.env.BENCH_FPS_FRAMES ?? 20);
/** Frames let through before timing: session creation and first-run warm-up. */
const WARM_UP = 2;

export interface FpsRow {
  label: string;
  backend: string;
  mode: string;
  /** Frames per second over the timed frames (WebGPU: 1 / first-frame seconds). */
  fps: number;
  /** What the page's meter showed at the end (its last 10 frames). */
  pageFps: number;
  /** Milliseconds from "Start" to the first frame shown (session creation included). */
  firstFrameMs: number;
}

interface Case {
  label: string;
  mode: string;
  query: string;
  webgpu?: boolean;
}

const CASES: Case[] = [
  { label: "WASM, 1 thread, fp32 320² (exact)", mode: "exact", query: "?threads=1" },
  { label: "WASM, threads, fp32 320² (exact)", mode: "exact", query: "" },
  { label: "WASM, threads, int8 320² (quality)", mode: "quality", query: "" },
  { label: "WASM, 1 thread, int8 160² (real-time)", mode: "realtime", query: "?threads=1" },
  { label: "WASM, threads, int8 160² (real-time)", mode: "realtime", query: "" },
  { label: "WebGPU on SwiftShader, fp32 320² (exact; correctness only)", mode: "exact", query: "", webgpu: true },
];

async function measure(browser: Browser, baseUrl: string, c: Case): Promise<FpsRow> {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  await page.goto(`/webcam${c.query}`);
  await page.selectOption("#model", c.mode);
  const started = Date.now();
  await page.click("#start");
  const frames = c.webgpu ? 1 : WARM_UP + FRAMES;
  const reached = async (n: number) => {
    // Polled on a timer, not every animation frame: rAF polling keeps the page painting at 60 Hz,
    // which costs these 2 cores more than the frames being measured. (Plain arrow functions
    // only: tsx names inner functions with a helper the page does not have.)
    await page.waitForFunction(
      ([mode, n]) =>
        document.getElementById("status")!.dataset.kind === "error" ||
        (document.getElementById("fps")!.dataset.model === mode && Number(document.getElementById("fps")!.dataset.frames) >= n),
      [c.mode, n] as const,
      { polling: 200, timeout: 900_000 },
    );
    const status = await page.$eval("#status", (e) => [(e as HTMLElement).dataset.kind, e.textContent]);
    if (status[0] === "error") throw new Error(`${c.label}: ${status[1]}`);
    return Date.now();
  };
  const first = await reached(1);
  const firstFrameMs = first - started;
  const warm = c.webgpu ? first : await reached(WARM_UP);
  const last = c.webgpu ? first : await reached(frames);
  // The page's own meter (the last 10 frames) beside the wall clock over the timed frames.
  const pageFps = Number(await page.textContent("#fps"));
  const backend = (await page.textContent("#backend")) ?? "";
  await context.close();
  const fps = c.webgpu ? 1000 / firstFrameMs : (FRAMES * 1000) / (last - warm);
  return { label: c.label, backend, mode: c.mode, fps, pageFps, firstFrameMs };
}

/** Runs every case against a fresh product (Miniflare, as the e2e tests start it). */
export async function benchBrowserFps(): Promise<FpsRow[]> {
  const camera = await writeFakeCamera(resolve(import.meta.dirname, "../test/fixtures/images/two_dancers.jpg"), ARTIFACTS);
  const cameraArgs = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${camera}`];
  const product = await startProduct();
  const rows: FpsRow[] = [];
  try {
    for (const c of CASES) {
      if (c.webgpu && process.env.BENCH_WEBGPU === "0") continue;
      if (process.env.BENCH_FPS_MODES && !process.env.BENCH_FPS_MODES.split(",").includes(c.mode)) continue;
      const browser = await launchChromium(cameraArgs, { webgpu: c.webgpu });
      try {
        console.error(`browser fps: ${c.label}…`);
        rows.push(await measure(browser, product.url, c));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await product.stop();
  }
  return rows;
}

export function browserFpsTable(rows: FpsRow[]): string[] {
  return [
    `Webcam page, headless Chromium, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, fake camera 640×480 processed at 480×360: the page's meter (its last 10 frames, in the page's clock) after ${WARM_UP + FRAMES} frames, and frames/s over frames ${WARM_UP}–${WARM_UP + FRAMES} by Node's clock (polled every 200 ms from Node, which waits on the page's busy main thread: a rougher figure)`,
    "",
    "| backend and mode | page says | frames/s, page's meter | frames/s, Node's clock | first frame (session included) |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.label} | ${r.backend} | ${r.pageFps.toFixed(1)} | ${r.fps.toFixed(2)} | ${(r.firstFrameMs / 1000).toFixed(1)} s |`),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchBrowserFps();
  console.log(browserFpsTable(rows).join("\n"));
}
