/** What the pages say runs the model: "WebGPU", or "WASM" with its thread count. */
import type { Segmenter } from "../model/browser-segmenter";

export function backendLabel(segmenter: Pick<Segmenter, "backend" | "threads">): string {
  if (segmenter.backend === "webgpu") return "WebGPU";
  return segmenter.threads > 1 ? `WASM, ${segmenter.threads} threads` : "WASM, 1 thread";
}
