/**
 * The models, described as data: one row each. The front worker reads the pre-processing
 * from here; the segmenter pairs each row with its files (segmenter/model-files.ts).
 * Adding a model: its manifest under models/ and one row below.
 */
import u2netpManifest from "../models/manifest.json";
import u2netpInt8Manifest from "../models/u2netp-int8.manifest.json";

export interface ModelSpec {
  /** Public id, used in `/v2/models/{id}` and the `X-Model` header. */
  id: string;
  /** Changes whenever the shipped weights or graph change (cache keys use it). */
  version: string;
  inputName: string;
  outputName: string;
  /** Square input side the network was trained at. */
  size: number;
  /** What the graph computes in: "int8" (u8 activations, s8 weights) or "fp32". */
  precision: "int8" | "fp32";
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** ORT session options the shipped graph was measured with. */
  session: Record<string, unknown>;
  /** Bytes to grow ORT's WASM memory to once, after session creation: its measured high-water,
   * so Emscripten's ×1.2 growth steps never overshoot it (see models/README.md). */
  memoryReserveBytes?: number;
  licence: string;
}

/** The part of models/manifest.json (written by models/build.py) the workers read. */
interface Manifest {
  id: string;
  files: Record<"graph" | "weights", { sha256: string }>;
  input: { name: string };
  output: { name: string };
  preprocessing: { size: number; mean: number[]; std: number[] };
  sessionOptions: Record<string, unknown>;
  memoryReserveBytes?: number;
  /** Present on quantized graphs only (models/build_int8.py). */
  quantization?: unknown;
  licence: { model: string };
}

/** Session options ORT understands; the manifest also carries notes and placeholders. */
const SESSION_KEYS = ["graphOptimizationLevel", "enableMemPattern", "enableCpuMemArena", "executionMode"];

function fromManifest(m: Manifest): ModelSpec {
  return {
    id: m.id,
    // Any change to the graph or the weights gives a new version.
    version: `${m.files.graph.sha256.slice(0, 8)}.${m.files.weights.sha256.slice(0, 8)}`,
    inputName: m.input.name,
    outputName: m.output.name,
    size: m.preprocessing.size,
    precision: m.quantization ? "int8" : "fp32",
    mean: m.preprocessing.mean as unknown as ModelSpec["mean"],
    std: m.preprocessing.std as unknown as ModelSpec["std"],
    session: Object.fromEntries(SESSION_KEYS.filter((k) => k in m.sessionOptions).map((k) => [k, m.sessionOptions[k]])),
    ...(m.memoryReserveBytes ? { memoryReserveBytes: m.memoryReserveBytes } : {}),
    licence: m.licence.model,
  };
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  u2netp: fromManifest(u2netpManifest as unknown as Manifest),
  // int8 compute, about twice as fast; on photos its calibration never saw every mask is within
  // IoU 0.97 of the fp32 model's (models/README.md). The default.
  "u2netp-int8": fromManifest(u2netpInt8Manifest as unknown as Manifest),
};

/** The model the edge runs unless `EDGE_MODEL` names another (`u2netp`: the fp32 graph). */
export const DEFAULT_MODEL = "u2netp-int8";

/** The edge's fp32 model: `quality=high` without a GPU server, where SEGMENTER_FP32 is bound. */
export const FP32_EDGE_MODEL = "u2netp";

/** The edge's model: the `EDGE_MODEL` setting when it names one of MODELS, else DEFAULT_MODEL. */
export function edgeModel(configured: unknown): ModelSpec {
  return typeof configured === "string" && Object.hasOwn(MODELS, configured) ? MODELS[configured] : MODELS[DEFAULT_MODEL];
}

/**
 * Models served by a GPU inference server (backend/), not bundled here. Full U2-Net (176 MB)
 * was exported by the same script as u2netp, so it has the same tensor names (checked by
 * backend/prepare.sh) and the authors' same pre-processing.
 */
export const REMOTE_MODELS: Readonly<Record<string, ModelSpec>> = {
  u2net: {
    id: "u2net",
    // rembg's release asset u2net.onnx, sha256 8d10d2f3…a912b491 (backend/prepare.sh checks it).
    version: "8d10d2f3",
    inputName: "input.1",
    outputName: "1959",
    size: MODELS.u2netp.size,
    precision: "fp32",
    mean: MODELS.u2netp.mean,
    std: MODELS.u2netp.std,
    session: {},
    licence: "U-2-Net by Xuebin Qin et al., Apache-2.0 (https://github.com/xuebinqin/U-2-Net)",
  },
};

/** The model the GPU backend runs unless `GPU_MODEL` names another. */
export const REMOTE_MODEL = "u2net";
