/**
 * The video page: a short WebM made in the page itself (a fixture photo panning across a
 * canvas, recorded by MediaRecorder) goes in; a WebM with the background replaced comes out.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage, screenshot, waitForDone } from "./browser.ts";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

it("removes the background of a video frame by frame and exports a WebM", async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/video");
  // Two seconds of the dancers photo panning, recorded in the page.
  const clip = await page.evaluate(async () => {
    const photo = await createImageBitmap(await (await fetch("/samples/two_dancers.jpg")).blob());
    const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
    const context = canvas.getContext("2d")!;
    const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: "video/webm;codecs=vp8" });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.start();
    const started = performance.now();
    while (performance.now() - started < 2000) {
      const shift = ((performance.now() - started) / 2000) * 30;
      context.drawImage(photo, -shift, 0, 320 + 30, 240);
      await new Promise((r) => setTimeout(r, 1000 / 15));
    }
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  });
  await page.setInputFiles("#video-file", { name: "dancers.webm", mimeType: "video/webm", buffer: Buffer.from(clip, "base64") });
  await page.fill("#fps", "4");
  await page.waitForFunction(() => !(document.getElementById("process") as HTMLButtonElement).disabled);
  await page.click("#process");
  expect(await waitForDone(page, 200_000)).toMatch(/Done: \d+ frames/);

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const path = join(ARTIFACTS, "video-export.webm");
  await download.saveAs(path);
  const exported = await page.evaluate(async () => {
    const video = document.getElementById("result") as HTMLVideoElement;
    const bytes = new Uint8Array(await (await fetch(video.src)).arrayBuffer());
    // A frame from the middle: the wall behind the dancers should now be the chosen green.
    video.currentTime = 0.5;
    await new Promise((r) => video.addEventListener("seeked", r, { once: true }));
    const canvas = Object.assign(document.createElement("canvas"), { width: video.videoWidth, height: video.videoHeight });
    const context = canvas.getContext("2d")!;
    context.drawImage(video, 0, 0);
    const corner = [...context.getImageData(4, 4, 1, 1).data];
    return { size: bytes.length, magic: [...bytes.slice(0, 4)], corner, width: canvas.width };
  });
  expect(exported.size).toBeGreaterThan(1000);
  expect(exported.magic).toEqual([0x1a, 0x45, 0xdf, 0xa3]); // EBML: a WebM/Matroska file
  expect(exported.width).toBe(320);
  const [r, g, b] = exported.corner;
  expect(g - r, `corner ${exported.corner}`).toBeGreaterThan(80); // #00b140, through VP8
  expect(g - b, `corner ${exported.corner}`).toBeGreaterThan(60);
  await writeFile(join(ARTIFACTS, "video-input.webm"), Buffer.from(clip, "base64"));
  await screenshot(page, "video");
  expect(errors).toEqual([]);
});
