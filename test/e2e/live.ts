/** Reading the live pages (webcam) in a test: frames shown, and the output's alpha. */
import { expect } from "vitest";
import type { Page } from "playwright-core";

/** Waits until the page has shown `frames` frames in `mode`, or reported an error. */
export async function waitForFrames(page: Page, mode: string, frames: number, timeout = 180_000): Promise<void> {
  await page.waitForFunction(
    ([mode, frames]) => {
      const fps = document.getElementById("fps")!;
      return (fps.dataset.model === mode && Number(fps.dataset.frames) >= Number(frames)) || document.getElementById("status")?.dataset.kind === "error";
    },
    [mode, String(frames)],
    { timeout },
  );
  expect(await page.$eval("#status", (e) => `${(e as HTMLElement).dataset.kind}: ${e.textContent}`)).toMatch(/^done/);
}

/** The output canvas's alpha channel (the mask, with the transparent background). */
export async function alphaChannel(page: Page): Promise<Uint8Array> {
  const alpha = await page.$eval("#output", (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4 + 3]);
  });
  return Uint8Array.from(alpha);
}

/** Shares of the output that are clear (alpha < 16) and solid (alpha > 240). */
export async function outputAlpha(page: Page): Promise<{ clear: number; solid: number }> {
  const alpha = await alphaChannel(page);
  let clear = 0;
  let solid = 0;
  for (const a of alpha) a < 16 ? clear++ : a > 240 && solid++;
  return { clear: clear / alpha.length, solid: solid / alpha.length };
}
