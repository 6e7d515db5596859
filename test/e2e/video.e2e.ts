/**
 * The video page: a short WebM made in the page itself (a fixture photo panning across a
 * canvas, with a tone, recorded by MediaRecorder) goes in; a WebM with the background replaced
 * and the tone kept comes out, after progress with the time left, on WASM threads.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ARTIFACTS, launchChromium, openPage, screenshot, waitForDone } from "./browser.ts";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  // The tone is played by Web Audio without a click.
  browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
});
afterAll(() => browser?.close());

it("removes the background of a video frame by frame and exports a WebM with its sound", async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/video");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // Two seconds of the dancers photo panning, with a 440 Hz tone, recorded in the page.
  const clip = await page.evaluate(async () => {
    const photo = await createImageBitmap(await (await fetch("/samples/two_dancers.jpg")).blob());
    const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
    const context = canvas.getContext("2d")!;
    const audio = new AudioContext();
    await audio.resume();
    const tone = audio.createOscillator();
    const sound = audio.createMediaStreamDestination();
    tone.connect(sound);
    tone.start();
    const stream = new MediaStream([...canvas.captureStream(15).getVideoTracks(), ...sound.stream.getAudioTracks()]);
    const recorder = new MediaRecorder(stream, { mimeType: "video/webm;codecs=vp8,opus" });
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
    tone.stop();
    await audio.close();
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  });
  await page.setInputFiles("#video-file", { name: "dancers.webm", mimeType: "video/webm", buffer: Buffer.from(clip, "base64") });
  await page.fill("#fps", "4");
  await page.waitForFunction(() => !(document.getElementById("process") as HTMLButtonElement).disabled);
  await page.click("#process");
  // Progress says how far it is and how long is left.
  await page.waitForFunction(() => /^Frame \d+ of \d+ \(WASM, \d threads\), about (\d+ min )?\d+ s left/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 120_000 });
  expect(await waitForDone(page, 200_000)).toMatch(/Done: \d+ frames, \d+ KiB WebM with sound \(WASM, [2-4] threads\)/);

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
    // The sound came through: decoded, it lasts about as long and is not silent.
    const sound = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(bytes.buffer.slice(0));
    const samples = sound.getChannelData(0);
    const loudest = samples.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    return { size: bytes.length, magic: [...bytes.slice(0, 4)], corner, width: canvas.width, soundSeconds: sound.duration, loudest };
  });
  expect(exported.size).toBeGreaterThan(1000);
  expect(exported.magic).toEqual([0x1a, 0x45, 0xdf, 0xa3]); // EBML: a WebM/Matroska file
  expect(exported.width).toBe(320);
  expect(exported.soundSeconds).toBeGreaterThan(1);
  expect(exported.loudest).toBeGreaterThan(0.1);
  const [r, g, b] = exported.corner;
  expect(g - r, `corner ${exported.corner}`).toBeGreaterThan(80); // #00b140, through VP8
  expect(g - b, `corner ${exported.corner}`).toBeGreaterThan(60);
  await writeFile(join(ARTIFACTS, "video-input.webm"), Buffer.from(clip, "base64"));
  await screenshot(page, "video");
  expect(errors).toEqual([]);
});
