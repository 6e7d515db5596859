/**
 * Debian's Chromium driven by playwright-core: launch options, pages that fail the test on
 * uncaught errors, `https://images.test` served to the browser by the same fake origin the
 * workers fetch from, and screenshots saved as artifacts.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { imageOrigin } from "./origin.ts";

export const ARTIFACTS = resolve(import.meta.dirname, "../artifacts/site");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** Launches Chromium; `extraArgs` e.g. the fake camera flags. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] });
}

export interface TestPage {
  page: Page;
  /** Uncaught page errors so far (a test asserts it is empty). */
  errors: string[];
}

/** A page at `baseUrl`, whose fetches of https://images.test/ are answered by the fake origin. */
export async function openPage(browser: Browser, baseUrl: string, path: string, options: BrowserContextOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.route("https://images.test/**", async (route) => {
    const response = await imageOrigin(new Request(route.request().url()));
    await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
  });
  await page.goto(path);
  return { page, errors };
}

/** Saves a full-page screenshot to test/artifacts/site/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the page's status line reports success (or fails the test with its error). */
export async function waitForDone(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(() => ["done", "error"].includes(document.getElementById("status")?.dataset.kind ?? ""), undefined, { timeout });
  const [kind, text] = await page.$eval("#status", (e) => [(e as HTMLElement).dataset.kind, e.textContent ?? ""]);
  if (kind !== "done") throw new Error(`The page reported an error: ${text}`);
  return text;
}
