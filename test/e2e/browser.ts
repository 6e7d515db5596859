/**
 * Chromium driven by playwright-core: Debian's when it is installed, else the one inside the
 * `@sparticuz/chromium` dev dependency (so `npm ci && npm test` needs nothing else); launch
 * options, pages that fail the test on uncaught errors or failed requests, `https://images.test`
 * served to the browser by the same fake origin the workers fetch from, and screenshots saved
 * as artifacts.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { imageOrigin } from "./origin.ts";

export const ARTIFACTS = resolve(import.meta.dirname, "../artifacts/site");
const ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
/** WebGPU on SwiftShader (Vulkan on the CPU): both Debian's and sparticuz's Chromium ship it. */
export const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader", "--use-webgpu-adapter=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"];
/** Debian's binary (`/usr/bin/chromium` is a shell wrapper around it). */
const DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium";

/**
 * `CHROMIUM_PATH` when set, else Debian's Chromium when present, else the binary inside
 * `@sparticuz/chromium` (unpacked once to the temp folder, with its SwiftShader libraries).
 * Only the binary is taken from sparticuz, not its Lambda flags (`--single-process`,
 * `--disable-web-security`…): the tests want an ordinary browser.
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const { default: sparticuz } = await import("@sparticuz/chromium");
  return sparticuz.executablePath();
}

/**
 * Launches Chromium; `extraArgs` e.g. the fake camera flags. Without `webgpu` the GPU is off
 * (the pages then take the WASM backend); with it, WebGPU runs on SwiftShader.
 */
export async function launchChromium(extraArgs: string[] = [], { webgpu = false } = {}): Promise<Browser> {
  const args = [...ARGS, ...(webgpu ? WEBGPU_ARGS : ["--disable-gpu"]), ...extraArgs];
  return chromium.launch({ executablePath: await chromiumPath(), args });
}

export interface TestPage {
  page: Page;
  /** Uncaught page errors, 404s and failed requests so far (a test asserts it is empty). */
  errors: string[];
}

/** A page at `baseUrl`, whose fetches of https://images.test/ are answered by the fake origin. */
export async function openPage(browser: Browser, baseUrl: string, path: string, options: BrowserContextOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  // A missing file of the site (a 404, e.g. /favicon.ico) or a request to it that never
  // completed is a fault too. API errors (4xx/5xx JSON with a code) are the pages' business,
  // and other hosts (a test's deliberately broken address) are tested where they occur.
  const own = (url: string) => url.startsWith(baseUrl);
  page.on("response", (response) => response.status() === 404 && own(response.url()) && errors.push(`404 ${response.url()}`));
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    // Media elements cancel their own range requests when they seek: not a fault.
    if (own(request.url()) && !failure.includes("ERR_ABORTED")) errors.push(`request failed: ${request.url()} ${failure}`);
  });
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
