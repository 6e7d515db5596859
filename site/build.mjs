#!/usr/bin/env node
/**
 * Builds the static site into dist/site: the pages' TypeScript bundled by esbuild (the browser
 * reuses the worker's own pre-processing, mask and weight modules), the HTML, CSS and samples
 * copied, and what the in-browser model needs served beside them (no CDN): onnxruntime-web's
 * WASM files under /ort/ and the browser's graphs under /models/; `_headers` makes the live
 * pages cross-origin isolated.
 *
 * Usage: node site/build.mjs [--watch]
 */
import { build, context } from "esbuild";
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SITE = join(ROOT, "site");
const OUT = join(ROOT, "dist/site");
const ORT = join(ROOT, "node_modules/onnxruntime-web/dist");
/** Cloudflare static assets refuse files over 25 MiB. */
const ASSET_LIMIT = 25 * 1024 * 1024;
/**
 * ORT's builds the site serves: the plain one for the WASM backend, and the JSPI one for
 * WebGPU (16 MiB; the asyncify and JSEP builds are over the asset limit). Each .mjs is ORT's
 * own bundle, served as it is and imported by URL, not bundled by esbuild: ORT starts its WASM
 * threads as module workers of `import.meta.url`, which must be ORT's own file (in an esbuild
 * chunk, ORT's code sits in lazy initialisers a worker never calls).
 */
const ORT_FILES = ["ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm", "ort.jspi.bundle.min.mjs", "ort-wasm-simd-threaded.jspi.wasm"];
const PAGES = ["try", "webcam", "video", "batch"];

/** The pages in the navigation, in order: path and label. */
const NAV = [["/", "Try"], ["/webcam", "Webcam"], ["/video", "Video"], ["/batch", "Batch boxes"]];

/** Fills a page's `<!-- head … -->` and `<!-- header … -->` markers with the markup all pages share. */
function layout(html, file) {
  const path = file === "index.html" ? "/" : `/${file.replace(/\.html$/, "")}`;
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
    '<link rel="stylesheet" href="/style.css">',
  ];
  const links = NAV.map(([href, label]) => `    <a href="${href}"${href === path ? ' aria-current="page"' : ""}>${label}</a>`);
  const header = ['<a class="skip" href="#main">Skip to content</a>', "<header>", '  <nav aria-label="Pages">', ...links, "  </nav>", "</header>"];
  return html
    .replace(/^( *)<!-- head\b.*-->$/m, (_, indent) => head.map((l) => indent + l).join("\n"))
    .replace(/^( *)<!-- header\b.*-->$/m, (_, indent) => header.map((l) => indent + l).join("\n"));
}

async function copyStatic() {
  for (const entry of await readdir(SITE, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (entry.name.endsWith(".html")) await writeFile(join(OUT, entry.name), layout(await readFile(join(SITE, entry.name), "utf8"), entry.name));
    else if (/\.(css|ico|svg|txt)$/.test(entry.name)) await cp(join(SITE, entry.name), join(OUT, entry.name));
  }
  await cp(join(SITE, "samples"), join(OUT, "samples"), { recursive: true });
}

/**
 * The browser's graphs (models/build_browser.py; site/src/model/browser-models.ts says which
 * mode runs which), copied to /models/. Not the edge's graph: it is tiled for a 128 MB isolate
 * and uses an operator ORT's WebGPU backend cannot run.
 */
const BROWSER_GRAPH = /^u2netp-(browser|int8-\d+)\.onnx$/;

async function copyModels() {
  await mkdir(join(OUT, "models"), { recursive: true });
  for (const file of (await readdir(join(ROOT, "models"))).filter((f) => BROWSER_GRAPH.test(f))) {
    await cp(join(ROOT, "models", file), join(OUT, "models", file));
  }
}

/**
 * Workers static assets read `_headers`: the live pages are cross-origin isolated (COOP +
 * COEP), which gives them SharedArrayBuffer and so ORT's WASM threads. Everything they load is
 * same-origin (scripts, ORT's .wasm, the graphs, blob: videos), so require-corp costs nothing.
 * ORT's threads are module workers of its own script under /ort/: a worker of an isolated page
 * must carry COEP itself, or Chromium refuses to start it (and ORT waits for it forever: the
 * "threaded start hung").
 */
const ISOLATED = ["/webcam", "/webcam.html", "/video", "/video.html", "/ort/*"];
const ISOLATION_HEADERS = ["  Cross-Origin-Opener-Policy: same-origin", "  Cross-Origin-Embedder-Policy: require-corp"];

async function writeHeaders() {
  const rules = ISOLATED.flatMap((path) => [path, ...ISOLATION_HEADERS]);
  await writeFile(join(OUT, "_headers"), rules.join("\n") + "\n");
}

async function copyRuntime() {
  await mkdir(join(OUT, "ort"), { recursive: true });
  for (const file of ORT_FILES) await cp(join(ORT, file), join(OUT, "ort", file));
}

async function checkSizes(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const { size } = await stat(path);
    if (size > ASSET_LIMIT) throw new Error(`${path} is ${size} bytes, over the 25 MiB asset limit`);
  }
}

const options = {
  entryPoints: PAGES.map((page) => join(SITE, "src", `${page}.ts`)),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  // ORT is loaded at run time from /ort/ (site/src/model/ort-loader.ts), never bundled.
  external: ["/ort/*"],
  logLevel: "warning",
};

await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
await Promise.all([copyStatic(), copyRuntime(), copyModels(), writeHeaders()]);
if (process.argv.includes("--watch")) {
  await (await context(options)).watch();
  console.log("site: watching site/src");
} else {
  await build(options);
  await checkSizes(OUT);
}
