/**
 * The "try" page in Chromium against the running product: an uploaded fixture photo gives the
 * API's cutout, every mode changes the result, the embed URL returns the image shown.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_MODEL } from "../../core/models.ts";
import { launchChromium, openPage, screenshot, waitForDone, type TestPage } from "./browser.ts";
import { alphaOf, decode, imageBytes, maxDifference } from "./pixels.ts";

const FIXTURE = "two_dancers.jpg";
const FIXTURE_PATH = resolve(import.meta.dirname, "../fixtures/images", FIXTURE);
const baseUrl = inject("baseUrl");
let browser: Browser;
let tab: TestPage;

/** Runs `action` and waits for the page to show a new result. */
async function resultAfter(page: Page, action: () => Promise<unknown>): Promise<Uint8Array> {
  await page.$eval("#status", (e) => ((e as HTMLElement).dataset.kind = "pending"));
  await action();
  await waitForDone(page);
  return imageBytes(page, "#after");
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  browser = await launchChromium();
  tab = await openPage(browser, baseUrl, "/");
});
afterAll(async () => {
  expect(tab.errors).toEqual([]);
  await browser.close();
});

describe("try page", () => {
  it("turns an uploaded photo into the cutout the API gives", async () => {
    const { page } = tab;
    const shown = await resultAfter(page, () => page.setInputFiles("#file", FIXTURE_PATH));
    const api = await fetch(`${baseUrl}/remove`, { method: "POST", body: await readFile(FIXTURE_PATH) });
    expect(api.status).toBe(200);
    const [mine, theirs] = [decode(shown), decode(new Uint8Array(await api.arrayBuffer()))];
    expect([mine.width, mine.height]).toEqual([theirs.width, theirs.height]);
    expect(maxDifference(alphaOf(mine), alphaOf(theirs))).toBe(0);
    // A real cutout: some pixels kept, some removed.
    const alpha = alphaOf(mine);
    expect(alpha.some((a) => a === 0) && alpha.some((a) => a === 255)).toBe(true);
  });

  it("changes the result in every mode", async () => {
    const { page } = tab;
    const seen = new Map<string, string>();
    seen.set(sha(await imageBytes(page, "#after")), "cutout");
    for (const mode of ["mask", "background", "highlight", "boxes", "crop", "thumbnail"]) {
      const bytes = await resultAfter(page, () => page.check(`input[name=mode][value=${mode}]`));
      const hash = sha(bytes);
      expect(seen.get(hash), `${mode} gave the same image as ${seen.get(hash)}`).toBeUndefined();
      seen.set(hash, mode);
      if (mode === "thumbnail") expect([decode(bytes).width, decode(bytes).height]).toEqual([256, 256]);
      if (mode === "mask") {
        const { rgba } = decode(bytes);
        expect(rgba.every((v, i) => i % 4 === 3 || v === rgba[i - (i % 4)])).toBe(true); // grey
      }
    }
    // A post-processing setting changes it too.
    await page.check("input[name=mode][value=cutout]");
    await page.click("summary");
    const thresholded = await resultAfter(page, () => page.fill("input[name=threshold]", "128"));
    expect(new Set(alphaOf(decode(thresholded)))).toEqual(new Set([0, 255]));
    await page.fill("input[name=threshold]", "0");
  });

  it("shows an embed URL that returns the same image", async () => {
    const { page } = tab;
    await page.check("input[name=mode][value=background]");
    await page.check("input[name=bg_kind][value=color]");
    await page.fill("input[name=bg_color]", "#2f6fdf");
    const shown = await resultAfter(page, async () => {
      await page.fill("#url", `https://images.test/images/${FIXTURE}`);
      await page.click("#url-form button");
    });
    const embed = await page.inputValue("#embed");
    const src = /^<img src="([^"]+)">$/.exec(embed)?.[1];
    expect(src).toContain(`/remove?url=${encodeURIComponent(`https://images.test/images/${FIXTURE}`)}`);
    expect(src).toContain("bg=2f6fdf");
    const response = await fetch(src!);
    expect(response.status).toBe(200);
    const [mine, embedded] = [decode(shown), decode(new Uint8Array(await response.arrayBuffer()))];
    expect([embedded.width, embedded.height]).toEqual([mine.width, mine.height]);
    expect(maxDifference(embedded.rgba, mine.rgba)).toBe(0);
    // A size gives the snippet a 2× srcset (max_side doubled; thumbnails get dpr=2).
    await page.fill("input[name=max_side]", "300");
    expect(await page.inputValue("#embed")).toMatch(/^<img src="[^"]+max_side=300" srcset="[^"]+max_side=300 1x, [^"]+max_side=600 2x">$/);
    await page.fill("input[name=max_side]", "");
    await page.fill("#split", "50");
    await screenshot(page, "try");
  });

  it("reports a plain error for a forbidden address", async () => {
    const { page } = tab;
    await page.$eval("#status", (e) => ((e as HTMLElement).dataset.kind = "pending"));
    await page.fill("#url", "http://127.0.0.1/cat.jpg");
    await page.click("#url-form button");
    await page.waitForFunction(() => document.getElementById("status")?.dataset.kind === "error");
    expect(await page.textContent("#status")).toMatch(/private or local network.*forbidden_host/);
  });

  it("offers the model choice only when a GPU server is configured", async () => {
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { models: { backend: string; configured?: boolean }[] };
    const gpu = health.models.some((m) => m.backend === "gpu" && m.configured !== false);
    expect(await tab.page.isVisible("#model")).toBe(gpu);
    // With a GPU server reported, the choice appears: the worker's answer stood in for here.
    const withGpu = await openPage(browser, baseUrl, "/");
    await withGpu.page.route("**/health", (route) =>
      route.fulfill({ json: { models: [{ id: DEFAULT_MODEL, backend: "edge" }, { id: "u2net", backend: "gpu", configured: true }] } }),
    );
    await withGpu.page.reload();
    await withGpu.page.click("summary");
    await withGpu.page.waitForSelector("#model", { state: "visible" });
    expect(await withGpu.page.$$eval("#model option", (o) => o.map((e) => (e as HTMLOptionElement).value))).toEqual(["", "auto", DEFAULT_MODEL, "u2net"]);
    await withGpu.page.context().close();
  });

  it("is usable from the keyboard and on a phone-sized screen", async () => {
    const { page } = tab;
    await page.focus("#split");
    await page.keyboard.press("Home");
    expect(await page.$eval("#compare", (e) => (e as HTMLElement).style.getPropertyValue("--split"))).toBe("0%");
    const phone = await openPage(browser, baseUrl, "/", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, "try-phone");
    await phone.page.context().close();
  });
});
