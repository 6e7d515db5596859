/**
 * The webcam page on Chromium's fake camera (fed a fixture photo of two dancers): the model
 * runs in the browser (onnxruntime-web, WASM here: headless with no GPU) and the page reports
 * frames per second; the frames it shows have the background removed.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage, screenshot } from "./browser.ts";
import { writeFakeCamera } from "./fake-camera.ts";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  const camera = await writeFakeCamera(resolve(import.meta.dirname, "../fixtures/images/two_dancers.jpg"), ARTIFACTS);
  browser = await launchChromium(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${camera}`]);
});
afterAll(() => browser?.close());

it("removes the background of the fake camera live and reports frames per second", async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/webcam");
  await page.click("#start");
  await page.waitForFunction(
    () => Number(document.getElementById("fps")?.dataset.frames) >= 5 || document.getElementById("status")?.dataset.kind === "error",
    undefined,
    { timeout: 180_000 },
  );
  expect(await page.$eval("#status", (e) => `${(e as HTMLElement).dataset.kind}: ${e.textContent}`)).toMatch(/^done/);
  const fps = Number(await page.textContent("#fps"));
  const backend = await page.textContent("#backend");
  expect(backend).toBe("WASM");
  expect(fps).toBeGreaterThan(0);
  // The transparent default: the dancers kept, the wall behind them cleared.
  const alpha = await page.$eval("#output", (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    let clear = 0;
    let solid = 0;
    for (let i = 3; i < data.length; i += 4) data[i] < 16 ? clear++ : data[i] > 240 && solid++;
    return { clear: clear / (data.length / 4), solid: solid / (data.length / 4) };
  });
  expect(alpha.clear).toBeGreaterThan(0.3);
  expect(alpha.solid).toBeGreaterThan(0.05);
  await page.selectOption("#bg-kind", "color");
  await page.waitForTimeout(1500);
  await screenshot(page, "webcam");
  await writeFile(join(ARTIFACTS, "webcam-fps.json"), JSON.stringify({ fps, backend, frames: Number(await page.getAttribute("#fps", "data-frames")) }));
  console.log(`webcam: ${fps} frames/s (${backend}, headless Chromium, fake camera 640×480 → 480×360)`);
  await page.click("#stop");
  expect(errors).toEqual([]);
});
