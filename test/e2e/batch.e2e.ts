/**
 * The batch page processes a list of image addresses (fetched by the worker from the fake
 * origin, https://images.test) plus an uploaded file, and exports CSV that agrees with /bbox.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { CSV_COLUMNS } from "../../bin/lib/bbox-records.mjs";
import { ARTIFACTS, launchChromium, openPage, screenshot } from "./browser.ts";

const baseUrl = inject("baseUrl");
const PHOTOS = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "two_dancers.jpg"];
const MISSING = "https://images.test/status/404";
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

it("finds boxes for a list, shows progress and a table, and exports CSV", async () => {
  const { page, errors } = await openPage(browser, baseUrl, "/batch");
  const urls = PHOTOS.map((name) => `https://images.test/images/${name}`);
  await page.fill("#urls", [...urls, MISSING].join("\n"));
  await page.setInputFiles("#image-files", resolve(import.meta.dirname, "../fixtures/images/camera.png"));
  await page.fill("#concurrency", "2");
  await page.click("#start");
  await page.waitForFunction(() => !(document.getElementById("export-csv") as HTMLButtonElement).disabled, undefined, { timeout: 200_000 });

  expect(await page.$eval("#progress", (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([7, 7]);
  expect(await page.locator("#results tbody tr").count()).toBe(7);
  expect(await page.locator('#results tbody tr[data-status="error"]').count()).toBe(1);
  expect(await page.textContent("#status")).toContain("6 images processed, 1 failed");
  await screenshot(page, "batch");

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const path = join(ARTIFACTS, "batch.csv");
  await download.saveAs(path);
  const [header, ...rows] = (await readFile(path, "utf8")).trim().split("\n").map((line) => line.split(","));
  expect(header).toEqual([...CSV_COLUMNS]);
  // The CSV's boxes are /bbox's, for each address.
  for (const url of urls) {
    const api = (await (await fetch(`${baseUrl}/bbox?url=${encodeURIComponent(url)}`)).json()) as { width: number; boxes: { x: number; y: number; width: number; height: number }[] };
    const mine = rows.filter((r) => r[0] === url);
    expect(mine.map((r) => r.slice(4, 8).map(Number)), url).toEqual(api.boxes.map((b) => [b.x, b.y, b.width, b.height]));
    expect(Number(mine[0][1])).toBe(api.width);
  }
  expect(rows.find((r) => r[0] === "camera.png")?.[4]).not.toBe("");
  expect(rows.find((r) => r[0] === MISSING)?.at(-1)).toMatch(/upstream_error/);
  expect(errors).toEqual([]);
});
