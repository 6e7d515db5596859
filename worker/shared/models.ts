/**
 * The models, described as data: one row each. The front worker reads the pre-processing
 * from here; the segmenter pairs each row with its files (segmenter/model-files.ts).
 * Adding a model: its manifest under models/ and one row below.
 */
import u2netpManifest from "../../models/manifest.json";

export interface ModelSpec {
  /** Public id, used in `/v2/models/{id}` and the `X-Model` header. */
  id: string;
  /** Changes whenever the shipped weights or graph change (cache keys use it). */
  version: string;
  inputName: string;
  outputName: string;
  /** Square input side the network was trained at. */
  size: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** ORT session options the shipped graph was measured with. */
  session: Record<string, unknown>;
  licence: string;
}

interface Manifest {
  id: string;
  version: string;
  input: { name: string; shape: (number | string)[] };
  output: { name: string };
  preprocess: { size: number; mean: number[]; std: number[] };
  session: Record<string, unknown>;
  licence: string | { name?: string; spdx?: string; text?: string };
}

function fromManifest(m: Manifest): ModelSpec {
  const licence = typeof m.licence === "string" ? m.licence : (m.licence.spdx ?? m.licence.name ?? "see models/");
  return {
    id: m.id,
    version: m.version,
    inputName: m.input.name,
    outputName: m.output.name,
    size: m.preprocess.size,
    mean: m.preprocess.mean as unknown as ModelSpec["mean"],
    std: m.preprocess.std as unknown as ModelSpec["std"],
    session: m.session,
    licence,
  };
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  u2netp: fromManifest(u2netpManifest as unknown as Manifest),
};

/** The model the edge runs when a request names none. */
export const DEFAULT_MODEL = "u2netp";
