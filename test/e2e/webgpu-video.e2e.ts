/**
 * The video page on WebGPU, through SwiftShader (as webgpu.e2e.ts does for /webcam): a clip of
 * one frame (a still fixture photo, shorter than a second, processed at 1 frame/s) in the
 * real-time mode (160²: WebGPU runs the fp32 browser graph, WASM the int8 one), once on WASM and
 * once on WebGPU; the processed frame's mask (the preview's alpha, transparent background) is
 * the same on both. SwiftShader takes minutes for that one frame: its time is recorded, not
 * asserted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage, waitForDone } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browsers: Browser[] = [];
afterAll(() => Promise.all(browsers.map((b) => b.close())));

interface VideoRun {
  mask: Uint8Array;
  done: string;
  ms: number;
  errors: string[];
  /** The clip the page recorded (base64 WebM), when asked to make one. */
  clip?: string;
}

/**
 * Processes a one-frame clip on /video (recorded in the page from a fixture photo when `clip` is
 * not given) and returns the processed frame's alpha, read from the preview canvas.
 */
async function processClip(webgpu: boolean, clip?: string): Promise<VideoRun> {
  const browser = await launchChromium([], { webgpu });
  browsers.push(browser);
  const { page, errors } = await openPage(browser, baseUrl, "/video");
  // 0.4 s of a still photo, without sound: at 1 frame/s the page processes exactly one frame.
  clip ??= await page.evaluate(async () => {
    const photo = await createImageBitmap(await (await fetch("/samples/two_dancers.jpg")).blob());
    const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
    canvas.getContext("2d")!.drawImage(photo, 0, 0, 320, 240);
    const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: "video/webm;codecs=vp8" });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.start();
    for (let i = 0; i < 6; i++) {
      canvas.getContext("2d")!.drawImage(photo, 0, 0, 320, 240);
      await new Promise((r) => setTimeout(r, 1000 / 15));
    }
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  });
  await page.setInputFiles("#video-file", { name: "still.webm", mimeType: "video/webm", buffer: Buffer.from(clip, "base64") });
  await page.fill("#fps", "1");
  await page.selectOption("#model", "realtime");
  await page.selectOption("#bg-kind", "transparent");
  await page.waitForFunction(() => !(document.getElementById("process") as HTMLButtonElement).disabled);
  const started = Date.now();
  await page.click("#process");
  const done = await waitForDone(page, 480_000);
  const ms = Date.now() - started;
  // After the export the preview holds the last (here the only) processed frame.
  const alpha = await page.$eval("#preview", (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4 + 3]);
  });
  expect(await page.isHidden("#notice"), (await page.textContent("#notice")) ?? "").toBe(true);
  await browser.close();
  return { mask: Uint8Array.from(alpha), done, ms, errors, clip };
}

it("processes a video frame on WebGPU (SwiftShader) with the WASM backend's mask", { timeout: 560_000 }, async () => {
  const cpu = await processClip(false);
  expect(cpu.done).toMatch(/^Done: 1 frames, \d+ KiB WebM \(WASM, \d threads?\)\.$/);
  const gpu = await processClip(true, cpu.clip);
  expect(gpu.done).toMatch(/^Done: 1 frames, \d+ KiB WebM \(WebGPU\)\.$/);
  expect(gpu.mask.length).toBe(320 * 240);
  expect(cpu.mask.length).toBe(gpu.mask.length);
  let sum = 0;
  for (let i = 0; i < gpu.mask.length; i++) sum += Math.abs(gpu.mask[i] - cpu.mask[i]);
  const mae = sum / gpu.mask.length / 255;
  // A real mask on both sides: a clear background and a solid pair of dancers.
  for (const { mask } of [cpu, gpu]) {
    expect(mask.filter((a) => a < 16).length / mask.length).toBeGreaterThan(0.3);
    expect(mask.filter((a) => a > 240).length / mask.length).toBeGreaterThan(0.05);
  }
  expect(mae).toBeLessThanOrEqual(0.01);
  const record = { webgpuFrameMs: gpu.ms, wasmFrameMs: cpu.ms, maskMae: mae };
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, "webgpu-video.json"), JSON.stringify(record));
  console.log(`video on WebGPU (SwiftShader), real-time mode 160², one frame (session and export included): ${(gpu.ms / 1000).toFixed(1)} s; WASM ${(cpu.ms / 1000).toFixed(1)} s; mask MAE ${mae.toFixed(5)}`);
  expect([...cpu.errors, ...gpu.errors]).toEqual([]);
});
