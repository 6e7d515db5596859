/**
 * The webcam page on Chromium's fake camera (fed a fixture photo of two dancers): the model
 * runs in the browser on WASM threads (the page is cross-origin isolated), in the real-time
 * and the quality modes; the frames it shows have the background removed.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage, screenshot } from "./browser.ts";
import { writeFakeCamera } from "./fake-camera.ts";
import { outputAlpha, waitForFrames } from "./live.ts";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  const camera = await writeFakeCamera(resolve(import.meta.dirname, "../fixtures/images/two_dancers.jpg"), ARTIFACTS);
  browser = await launchChromium(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${camera}`]);
});

afterAll(() => browser?.close());

// Long on a loaded 2-core machine: the exact mode (fp32 320²) takes seconds a frame there.
it("removes the background of the fake camera live, on WASM threads, in every mode", { timeout: 420_000 }, async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/webcam");
  // Cross-origin isolated (COOP + COEP from dist/site/_headers): SharedArrayBuffer, so threads.
  expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, "function"]);
  const modes = await page.$$eval("#model option", (options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(modes[0]).toBe("realtime");
  expect(await page.inputValue("#model")).toBe("realtime");
  await page.click("#start");
  await waitForFrames(page, "realtime", 5);
  // Headless with the GPU off: WASM, on more than one thread (ORT's own script as thread workers).
  const backend = await page.$eval("#backend", (e) => ({ backend: (e as HTMLElement).dataset.backend, threads: (e as HTMLElement).dataset.threads, text: e.textContent }));
  expect(backend.backend).toBe("wasm");
  expect(Number(backend.threads)).toBeGreaterThan(1);
  expect(backend.text).toBe(`WASM, ${backend.threads} threads`);
  expect(page.workers().filter((w) => w.url().endsWith("/ort/ort.wasm.bundle.min.mjs")).length).toBe(Number(backend.threads) - 1);
  // The transparent default: the dancers kept, the wall behind them cleared.
  const alpha = await outputAlpha(page);
  expect(alpha.clear).toBeGreaterThan(0.3);
  expect(alpha.solid).toBeGreaterThan(0.05);
  // Frames per second of each mode, over the same number of frames (bench/browser-fps.ts times more).
  const measured: Record<string, number> = {};
  for (const mode of modes) {
    await page.selectOption("#model", mode);
    await waitForFrames(page, mode, 4);
    measured[mode] = Number(await page.textContent("#fps"));
    expect(measured[mode]).toBeGreaterThan(0);
    const modeAlpha = await outputAlpha(page);
    expect(modeAlpha.clear, mode).toBeGreaterThan(0.3);
  }
  await page.selectOption("#bg-kind", "color");
  await page.waitForTimeout(2500);
  await screenshot(page, "webcam");
  await writeFile(join(ARTIFACTS, "webcam-fps.json"), JSON.stringify({ backend: "wasm", threads: Number(backend.threads), fps: measured }));
  console.log(`webcam frames/s (WASM, ${backend.threads} threads, headless Chromium, fake camera 640×480 → 480×360): ${JSON.stringify(measured)}`);
  await page.click("#stop");
  expect(await page.isHidden("#notice")).toBe(true);
  expect(errors).toEqual([]);
});
