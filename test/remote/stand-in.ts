/**
 * The stand-in for a GPU Triton server: our own segmenter worker (the same bundle the tests
 * bind, `npm run build:segmenter`) served over HTTP on 127.0.0.1 by Miniflare. It speaks the
 * same Open Inference Protocol v2 as Triton, serving the model `u2netp`.
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const BUNDLE = resolve(import.meta.dirname, "../../dist/segmenter");

type ModuleType = "ESModule" | "CompiledWasm" | "Data";

/** The segmenter as wrangler bundled it: its entry first, then the .wasm and model files. */
export function segmenterModules(dir: string): { type: ModuleType; path: string }[] {
  const type = (file: string): ModuleType => (file.endsWith(".js") ? "ESModule" : file.endsWith(".wasm") ? "CompiledWasm" : "Data");
  const files = readdirSync(dir).filter((f) => /\.(js|wasm|onnx|bin)$/.test(f));
  files.sort((a, b) => Number(b === "index.js") - Number(a === "index.js"));
  return files.map((file) => ({ type: type(file), path: join(dir, file) }));
}

export interface StandIn {
  url: URL;
  dispose(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  // Miniflare 5 (the vitest plugin's) still reads the flat v4 options through this converter.
  const options = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    compatibilityDate: "2026-04-01",
    modules: segmenterModules(BUNDLE),
    modulesRoot: BUNDLE,
  });
  const mf = new Miniflare(options);
  const url = await mf.ready;
  return { url, dispose: () => mf.dispose() };
}
