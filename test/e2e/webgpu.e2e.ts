/**
 * The webcam page on WebGPU, through SwiftShader (Vulkan on the CPU, shipped with both Debian's
 * and sparticuz's Chromium): ORT's WebGPU backend runs the browser graph (standard operators),
 * and its mask equals the WASM backend's for the same camera picture. One frame, in the
 * real-time mode (160²: WebGPU runs the fp32 browser graph, WASM the int8 one): SwiftShader takes
 * minutes for what a GPU does in milliseconds (the time is recorded, not asserted).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage } from "./browser.ts";
import { writeFakeCamera } from "./fake-camera.ts";
import { alphaChannel, waitForFrames } from "./live.ts";

const baseUrl = inject("baseUrl");
const browsers: Browser[] = [];
let cameraArgs: string[];

beforeAll(async () => {
  // A still picture: the WebGPU and WASM pages segment the same frame.
  const camera = await writeFakeCamera(resolve(import.meta.dirname, "../fixtures/images/two_dancers.jpg"), ARTIFACTS, 2, true);
  cameraArgs = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${camera}`];
});

afterAll(() => Promise.all(browsers.map((b) => b.close())));

/** The first frame's mask (the output's alpha, transparent background; the first frame is not smoothed). */
async function firstMask(webgpu: boolean): Promise<{ mask: Uint8Array; backend: string; ms: number; errors: string[] }> {
  const browser = await launchChromium(cameraArgs, { webgpu });
  browsers.push(browser);
  const { page, errors } = await openPage(browser, baseUrl, "/webcam");
  const started = Date.now();
  await page.click("#start");
  await waitForFrames(page, "realtime", 1, 480_000);
  const ms = Date.now() - started;
  const mask = await alphaChannel(page);
  const backend = (await page.textContent("#backend")) ?? "";
  expect(await page.isHidden("#notice"), (await page.textContent("#notice")) ?? "").toBe(true);
  // Closed, not stopped: on SwiftShader the next frame keeps the page from painting for minutes.
  await browser.close();
  return { mask, backend, ms, errors };
}

it("runs the webcam on WebGPU (SwiftShader) with the WASM backend's mask", { timeout: 560_000 }, async () => {
  const gpu = await firstMask(true);
  expect(gpu.backend).toBe("WebGPU");
  const cpu = await firstMask(false);
  expect(cpu.backend).toMatch(/^WASM/);
  expect(gpu.mask.length).toBe(cpu.mask.length);
  let sum = 0;
  for (let i = 0; i < gpu.mask.length; i++) sum += Math.abs(gpu.mask[i] - cpu.mask[i]);
  const mae = sum / gpu.mask.length / 255;
  // A real mask, not an empty one on both sides.
  const clear = cpu.mask.filter((a) => a < 16).length / cpu.mask.length;
  expect(clear).toBeGreaterThan(0.3);
  expect(mae).toBeLessThanOrEqual(0.01);
  const record = { webgpuFirstFrameMs: gpu.ms, wasmFirstFrameMs: cpu.ms, maskMae: mae };
  await writeFile(join(ARTIFACTS, "webgpu.json"), JSON.stringify(record));
  console.log(`webcam on WebGPU (SwiftShader), real-time mode 160²: first frame ${(gpu.ms / 1000).toFixed(1)} s; WASM ${(cpu.ms / 1000).toFixed(1)} s; mask MAE ${mae.toFixed(5)}`);
  expect([...gpu.errors, ...cpu.errors]).toEqual([]);
});

it("falls back to WASM for the rest of the page when WebGPU cannot use the graph, and says so", async () => {
  const browser = await launchChromium(cameraArgs, { webgpu: true });
  browsers.push(browser);
  const { page, errors } = await openPage(browser, baseUrl, "/webcam");
  // The WebGPU graph replaced by the edge's (its weights are external, so no session comes of it);
  // the real-time mode's WASM graph is another file, untouched.
  const edgeGraph = await readFile(resolve(import.meta.dirname, "../../models/u2netp-edge.onnx"));
  await page.route("**/models/u2netp-browser.onnx", (route) => route.fulfill({ body: edgeGraph, contentType: "application/octet-stream" }));
  await page.click("#start");
  await waitForFrames(page, "realtime", 3);
  expect(await page.$eval("#backend", (e) => (e as HTMLElement).dataset.backend)).toBe("wasm");
  expect(await page.isVisible("#notice")).toBe(true);
  expect(await page.textContent("#notice")).toMatch(/^WebGPU could not run the model \(.+\); running on WebAssembly for the rest of this page\.$/);
  await page.click("#stop");
  expect(errors).toEqual([]);
});
