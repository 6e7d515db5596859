/**
 * A model's masks against the float model's, as the product makes them: the stock fp32 graph
 * (onnxruntime-node, cached in the OS temp dir) and the product's post-processing (min-max
 * normalised, 8 bits, bilinear back to the photo's size). IoU at 128, MAE on 0..1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resizeMask, toMask8 } from "../core/mask";
import { MODELS } from "../core/models";
import { toModelInput } from "../core/preprocess";
import { baseName } from "./masks";
import { decode, split } from "./quant-data";

const require = createRequire(import.meta.url);
const spec = MODELS.u2netp;
const S = spec.size;

/** The product's mask at the photo's size from a raw 320×320 output. */
export const maskAt = (y: Float32Array, width: number, height: number): Uint8Array => resizeMask(toMask8(y), S, S, width, height);

export function compare(a: Uint8Array, b: Uint8Array): { mae: number; iou: number } {
  let abs = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    abs += Math.abs(a[i] - b[i]);
    if (a[i] >= 128 && b[i] >= 128) inter++;
    if (a[i] >= 128 || b[i] >= 128) union++;
  }
  return { mae: abs / a.length / 255, iou: union ? inter / union : 1 };
}

/** The stock fp32 model's raw outputs (onnxruntime-node), cached by photo. */
export async function floatOutputs(files: string[]): Promise<Map<string, Float32Array>> {
  const dir = join(tmpdir(), "quant-fp32");
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, Float32Array>();
  let session: { run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>> } | undefined;
  const ort = require("onnxruntime-node");
  for (const file of files) {
    const path = join(dir, baseName(file) + ".f32");
    if (!existsSync(path)) {
      session ??= await ort.InferenceSession.create(readFileSync("models/u2netp.onnx"), { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
      const input = new ort.Tensor("float32", toModelInput(decode(file), spec), [1, 3, S, S]);
      writeFileSync(path, (await session!.run({ [spec.inputName]: input }))[spec.outputName].data as Float32Array);
    }
    out.set(file, new Float32Array(readFileSync(path).buffer.slice(0)));
  }
  return out;
}

export interface SplitScore {
  photos: number;
  minIou: number;
  worst: string;
  meanMae: number;
  meanIou: number;
}

function summary(rows: { file: string; mae: number; iou: number }[]): SplitScore {
  return {
    photos: rows.length,
    minIou: Math.min(...rows.map((r) => r.iou)),
    worst: rows.reduce((a, b) => (b.iou < a.iou ? b : a), { file: "–", iou: Infinity }).file,
    meanMae: rows.reduce((s, r) => s + r.mae, 0) / rows.length,
    meanIou: rows.reduce((s, r) => s + r.iou, 0) / rows.length,
  };
}

/** Per-photo minimum IoU and mean MAE on the held-out split (bench/quant-data.ts) and on every photo. */
export function splitSummary(rows: { file: string; mae: number; iou: number }[]): { heldOut: SplitScore; all: SplitScore } {
  const heldOut = new Set(split().heldOut);
  return { heldOut: summary(rows.filter((r) => heldOut.has(r.file))), all: summary(rows) };
}
