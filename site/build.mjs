#!/usr/bin/env node
/**
 * Builds the static site into dist/site: the pages' TypeScript bundled by esbuild (the browser
 * reuses the worker's own pre-processing, mask and weight modules), the HTML, CSS and samples
 * copied, and what the in-browser model needs served beside them (no CDN): onnxruntime-web's
 * WASM files under /ort/ and the models' files, as their manifests under models/ list them,
 * under /models/.
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
 * ORT's WASM builds the site serves: the plain one for the WASM backend, and the JSPI one for
 * WebGPU (16 MiB; the asyncify and JSEP builds are over the asset limit).
 */
const ORT_FILES = ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.jspi.wasm"];
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
 * The model files each manifest under models/ lists, copied to /models/, and per model id a
 * `<id>.files.json` naming them, so the browser loads whichever model worker/shared/models.ts
 * makes the default. External weights only where the manifest has a weight index (a model with
 * inline weights is its graph alone).
 */
async function copyModels() {
  await mkdir(join(OUT, "models"), { recursive: true });
  const manifests = (await readdir(join(ROOT, "models"))).filter((f) => /(^|\.)manifest\.json$/.test(f));
  for (const name of manifests) {
    const manifest = JSON.parse(await readFile(join(ROOT, "models", name), "utf8"));
    const files = manifest.files.weightsIndex
      ? { graph: manifest.files.graph.path, weights: manifest.files.weights.path, weightsIndex: manifest.files.weightsIndex.path }
      : { graph: manifest.files.graph.path };
    for (const file of Object.values(files)) await cp(join(ROOT, "models", file), join(OUT, "models", file));
    await writeFile(join(OUT, "models", `${manifest.id}.files.json`), JSON.stringify(files));
  }
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
  // ORT's "bundle" builds carry their JS glue; the .wasm comes from /ort/ (env.wasm.wasmPaths).
  logLevel: "warning",
};

await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
await Promise.all([copyStatic(), copyRuntime(), copyModels()]);
if (process.argv.includes("--watch")) {
  await (await context(options)).watch();
  console.log("site: watching site/src");
} else {
  await build(options);
  await checkSizes(OUT);
}
