/**
 * The browser's modes, as data: one row each, with the graph each backend runs
 * (models/build_browser.py builds them; site/build.mjs serves them under /models/). A tab has
 * no 128 MB isolate limit, so these are not the edge's tiled graph:
 * - WebGPU runs `u2netp-browser.onnx`, the stock graph with standard operators only and a
 *   symbolic input (ORT's WebGPU EP cannot run the edge graph's com.microsoft FusedConv);
 * - WASM runs the int8 graphs, about twice as fast, one per input side.
 * Accuracy against the 320² reference masks: docs/browser.md (bench/browser-accuracy.ts).
 */
import { MODELS, type ModelSpec } from "../../../core/models";
import type { Backend } from "./ort-loader";

export type ModeId = "realtime" | "quality" | "exact";

export interface BrowserMode {
  id: ModeId;
  label: string;
  /** Side of the square model input. */
  side: number;
  /** The graph file (under /models/) each backend runs. */
  graphs: Record<Backend, string>;
  /** Weight of the newest mask in the running average over frames (1: no smoothing). */
  smoothing: number;
}

/**
 * The real-time input side: a quarter of 320²'s work, IoU 0.90 against it; 192² (0.36×) gains
 * only 0.01 IoU, 128² loses 0.05 (docs/browser.md, bench/browser-accuracy.ts).
 */
export const REALTIME_SIDE = 160;

export const BROWSER_MODES: Readonly<Record<ModeId, BrowserMode>> = {
  realtime: {
    id: "realtime",
    label: `Real-time (${REALTIME_SIDE}², smoothed)`,
    side: REALTIME_SIDE,
    graphs: { webgpu: "u2netp-browser.onnx", wasm: `u2netp-int8-${REALTIME_SIDE}.onnx` },
    // Half the new mask, half the past: flicker gone, a moving edge follows within ~3 frames.
    smoothing: 0.5,
  },
  quality: {
    id: "quality",
    label: "Quality (320²)",
    side: 320,
    graphs: { webgpu: "u2netp-browser.onnx", wasm: "u2netp-int8-320.onnx" },
    smoothing: 1,
  },
  exact: {
    id: "exact",
    label: "Exact (320², fp32: the API's mask)",
    side: 320,
    graphs: { webgpu: "u2netp-browser.onnx", wasm: "u2netp-browser.onnx" },
    smoothing: 1,
  },
};

/** The pre-processing and tensor names of u2netp, at the mode's input side. */
export function modeSpec(mode: BrowserMode): ModelSpec {
  return { ...MODELS.u2netp, id: mode.id, size: mode.side, session: { graphOptimizationLevel: "all" } };
}
