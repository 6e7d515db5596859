/**
 * The bytes each model runs from, bundled as `Data` modules (see wrangler rules).
 * u2netp's weights travel as fp16 and are expanded to fp32 once, when the session is created.
 */
import u2netpGraph from "../../models/u2netp-edge.onnx";
import u2netpWeights from "../../models/u2netp-edge.weights.bin";
import u2netpWeightIndex from "../../models/u2netp-edge.weights.json";
import u2netpInt8Graph from "../../models/u2netp-int8.onnx";
import type { WeightIndex } from "../../core/weights";

export interface ModelFiles {
  graph: ArrayBuffer;
  weights?: { packed: ArrayBuffer; index: WeightIndex };
}

export const MODEL_FILES: Readonly<Record<string, ModelFiles>> = {
  u2netp: { graph: u2netpGraph, weights: { packed: u2netpWeights, index: u2netpWeightIndex as WeightIndex } },
  // int8 weights are inline: the graph is the whole model (1.3 MB).
  "u2netp-int8": { graph: u2netpInt8Graph },
};
