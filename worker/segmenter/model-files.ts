/**
 * The bytes each model runs from, bundled as `Data` modules (see wrangler rules).
 * Weights travel quantized and are expanded to fp32 once, when the session is created.
 */
import u2netpGraph from "../../models/u2netp-edge.onnx";
import u2netpWeights from "../../models/u2netp-edge.weights.bin";
import u2netpWeightIndex from "../../models/u2netp-edge.weights.json";
import type { WeightIndex } from "./weights";

export interface ModelFiles {
  graph: ArrayBuffer;
  weights?: { packed: ArrayBuffer; index: WeightIndex };
}

export const MODEL_FILES: Readonly<Record<string, ModelFiles>> = {
  u2netp: { graph: u2netpGraph, weights: { packed: u2netpWeights, index: u2netpWeightIndex as WeightIndex } },
};
