import u2netpGraph from "../../models/u2netp.onnx";
import type { WeightIndex } from "./weights";
export interface ModelFiles { graph: ArrayBuffer; weights?: { packed: ArrayBuffer; index: WeightIndex } }
export const MODEL_FILES: Readonly<Record<string, ModelFiles>> = { u2netp: { graph: u2netpGraph } };
