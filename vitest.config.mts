import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { imageOrigin } from "./test/origin/image-origin.ts";

/** The segmenter as wrangler bundled it: its entry plus the .wasm and model files it imports. */
function segmenterModules(dir: string) {
  const type = (file: string) =>
    file.endsWith(".js") ? "ESModule" : file.endsWith(".wasm") ? "CompiledWasm" : "Data";
  const files = readdirSync(dir).filter((f) => /\.(js|wasm|onnx|bin)$/.test(f));
  // The entry must come first.
  files.sort((a, b) => Number(b === "index.js") - Number(a === "index.js"));
  return files.map((file) => ({ type, path: join(dir, file) })).map((m) => ({ ...m, type: m.type(m.path) }));
}

/**
 * Tests run inside workerd: the front worker is SELF, the segmenter worker runs beside it from
 * wrangler's own bundle (`npm run build:segmenter`), wired by the same service binding as in
 * production. Outbound fetches (url=) go to `imageOrigin`, a Node handler that serves the
 * fixture photos and counts what it is asked for.
 */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        outboundService: imageOrigin,
        // A short fetch deadline so the timeout tests stay quick.
        bindings: { FETCH_TIMEOUT_MS: "2000" },
        // A second segmenter isolate for the fp32 model's tests (EDGE_MODEL=u2netp), so its
        // session never shares, and raises, the default segmenter's WASM memory.
        serviceBindings: { SEGMENTER_FP32: "edge-u2net-segmenter-fp32" },
        workers: ["edge-u2net-segmenter", "edge-u2net-segmenter-fp32"].map((name) => ({
          name,
          modules: segmenterModules("./dist/segmenter"),
          modulesRoot: "./dist/segmenter",
          compatibilityDate: "2026-04-01",
        })),
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/node/**"],
    globalSetup: ["test/origin/prepare.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One file at a time: the model runs take both cores.
    fileParallelism: false,
  },
});
