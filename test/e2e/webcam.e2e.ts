/**
 * The webcam page on Chromium's fake camera (fed a fixture photo of two dancers): the model
 * runs in the browser (onnxruntime-web, WASM here: headless with no GPU) and the page reports
 * frames per second; the frames it shows have the background removed.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
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

/** Waits until the page has shown `frames` frames with `model`, or reported an error. */
async function waitForFrames(page: Page, model: string, frames: number): Promise<void> {
  await page.waitForFunction(
    ([model, frames]) => {
      const fps = document.getElementById("fps")!;
      return (fps.dataset.model === model && Number(fps.dataset.frames) >= Number(frames)) || document.getElementById("status")?.dataset.kind === "error";
    },
    [model, String(frames)],
    { timeout: 180_000 },
  );
  expect(await page.$eval("#status", (e) => `${(e as HTMLElement).dataset.kind}: ${e.textContent}`)).toMatch(/^done/);
}

it("removes the background of the fake camera live and reports frames per second", async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/webcam");
  const models = await page.$$eval("#model option", (options) => options.map((o) => (o as HTMLOptionElement).value));
  await page.click("#start");
  await waitForFrames(page, models[0], 5);
  expect(await page.textContent("#backend")).toBe(`WASM, ${models[0]}`);
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

  // Frames per second of each model the site offers, measured over the same number of frames.
  const measured: Record<string, number> = {};
  for (const model of models) {
    await page.selectOption("#model", model);
    await waitForFrames(page, model, 6);
    measured[model] = Number(await page.textContent("#fps"));
    expect(measured[model]).toBeGreaterThan(0);
  }
  await page.selectOption("#bg-kind", "color");
  await page.waitForTimeout(2500);
  await screenshot(page, "webcam");
  await writeFile(join(ARTIFACTS, "webcam-fps.json"), JSON.stringify({ backend: "wasm", fps: measured }));
  console.log(`webcam frames/s (WASM, 1 thread, headless Chromium, fake camera 640×480 → 480×360): ${JSON.stringify(measured)}`);
  await page.click("#stop");
  expect(errors).toEqual([]);
});
