/**
 * The product as `npm start` runs it (both workers from wrangler's own bundles and configs,
 * the site from dist/site), started with Miniflare's Node API so that the workers' outbound
 * fetches go to `imageOrigin` (test/origin): `https://images.test/<fixture>` is then a real
 * `url=` source, and nothing reaches the internet.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { imageOrigin } from "./origin.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FRONT_BUNDLE = join(ROOT, "dist/e2e-front");
const SEGMENTER_BUNDLE = join(ROOT, "dist/segmenter");

/**
 * The Miniflare that wrangler itself runs (wrangler's own dependency, resolved from wrangler's
 * location: the hoisted `miniflare` belongs to the vitest plugin and is another major version).
 */
const { Miniflare } = createRequire(createRequire(import.meta.url).resolve("wrangler"))("miniflare") as {
  Miniflare: new (options: { host: string; port: number; workers: WorkerOptions[] }) => { ready: Promise<URL>; dispose(): Promise<void> };
};
type WorkerOptions = Record<string, unknown>;

export interface Product {
  url: string;
  stop(): Promise<void>;
}

/** wrangler's bundle of a worker, the way `wrangler deploy` would upload it. */
function bundle(config: string, outdir: string): void {
  execFileSync("node", ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "-c", config, "--outdir", outdir], { cwd: ROOT, stdio: "pipe" });
}

interface ModuleRule {
  type: string;
  include: string[];
}

/**
 * The bundle's files as explicit modules, typed by the worker's own module rules (globs that
 * end in an extension). Listed rather than discovered: ORT's dynamic import() stops
 * Miniflare's import scanner.
 */
function bundleModules(dir: string, rules: ModuleRule[]): { type: string; path: string }[] {
  const typeOf = (file: string) =>
    file.endsWith(".js") ? "ESModule" : rules.find((r) => r.include.some((glob) => file.endsWith(glob.replace("**/*", ""))))?.type;
  const files = readdirSync(dir).filter((file) => typeOf(file) && !file.endsWith(".map"));
  // The entry point first.
  return ["index.js", ...files.filter((f) => f !== "index.js")].map((file) => ({ type: typeOf(file)!, path: join(dir, file) }));
}

function worker(config: string, name: string, dir: string): WorkerOptions {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, config));
  const rules = (workerOptions.modulesRules ?? []) as ModuleRule[];
  const { modulesRules: _rules, ...options } = workerOptions as Record<string, unknown>;
  return { ...options, name, modules: bundleModules(dir, rules), modulesRoot: dir, outboundService: imageOrigin };
}

/** Bundles the front worker (and the segmenter if `npm run build:segmenter` has not) and serves both. */
export async function startProduct(): Promise<Product> {
  if (!existsSync(join(ROOT, "dist/site/index.html"))) throw new Error("dist/site is missing: run npm run build:site");
  bundle("wrangler.toml", FRONT_BUNDLE);
  if (!existsSync(join(SEGMENTER_BUNDLE, "index.js"))) bundle("worker/segmenter/wrangler.toml", SEGMENTER_BUNDLE);
  const miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    workers: [worker("wrangler.toml", "edge-u2net", FRONT_BUNDLE), worker("worker/segmenter/wrangler.toml", "edge-u2net-segmenter", SEGMENTER_BUNDLE)],
  });
  const url = (await miniflare.ready).origin;
  return { url, stop: () => miniflare.dispose() };
}
