/**
 * Builds the CLI (bin/src/*.ts and the core/ it imports) into dist/cli/ with esbuild, when the
 * bundle is missing or older than its sources. `bin/edge-u2net.mjs` calls this on every run, so
 * a fresh clone needs only `npm ci && npx edge-u2net …`, and a `git pull` never leaves a stale
 * bundle (a `prepare` script would build once at `npm ci` and then go stale). `npm run
 * build:cli` forces it. Plain Node ESM: it runs before anything is built.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist/cli");
const ENTRIES = ["main", "worker"];
/** What the bundle is made from. */
const SOURCES = ["bin/src", "bin/lib", "core", "models"];
/** Loaded from node_modules at run time: native code, and WASM found beside their own files. */
const EXTERNAL = ["onnxruntime-node", "onnxruntime-web", "onnxruntime-web/*", "@cf-wasm/photon"];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.(ts|mts|mjs|json)$/.test(path) ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function builtAt() {
  try {
    return Math.min(...ENTRIES.map((name) => statSync(join(OUT, `${name}.mjs`)).mtimeMs));
  } catch {
    return -1;
  }
}

/** Builds when stale (or always with `force`); returns the bundle's main module path. */
export async function ensureBuilt({ force = false } = {}) {
  const main = join(OUT, "main.mjs");
  // EDGE_U2NET_PREBUILT: use the bundle as it is (the bench times runs while sources may change).
  if (!force && process.env.EDGE_U2NET_PREBUILT && builtAt() > 0) return main;
  if (!force && builtAt() >= Math.max(...SOURCES.map((dir) => newest(join(ROOT, dir))))) return main;
  const { build } = await import("esbuild").catch(() => {
    throw new Error("edge-u2net needs its build tool: run `npm ci` (esbuild is a dev dependency)");
  });
  // Built aside, then renamed into place: two runs building at once never read half a file.
  const staging = join(OUT, `.build-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  try {
    await build({
      entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, join(ROOT, "bin/src", `${name}.ts`)])),
      outdir: staging,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: EXTERNAL,
      logLevel: "error",
      sourcemap: "linked",
    });
    // The worker first: main starts it, so main must never be newer than its worker.
    for (const name of ENTRIES.slice().reverse()) {
      renameSync(join(staging, `${name}.mjs.map`), join(OUT, `${name}.mjs.map`));
      renameSync(join(staging, `${name}.mjs`), join(OUT, `${name}.mjs`));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return main;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureBuilt({ force: true });
  process.stderr.write(`built ${OUT}\n`);
}
