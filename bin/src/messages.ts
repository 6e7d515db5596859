/** What the main thread and the worker threads say to each other. */
import type { RuntimeName } from "./runtime.ts";

export interface WorkerSetup {
  model: string;
  runtime: RuntimeName;
  effect: string;
  /** The API's query string for every image of the run. */
  query: string;
}

export type Task =
  /** A file or URL: the worker reads it and writes `<outBase>.<ext>` (whole, by a rename). */
  | { kind: "file"; id: number; source: string; outBase?: string }
  /** An image's bytes (stdin): the answer comes back. */
  | { kind: "bytes"; id: number; bytes: Uint8Array }
  /** A raw rgb24 frame; `reuse` composes it with this thread's latest mask, without the model. */
  | { kind: "frame"; id: number; pixels: Uint8Array; width: number; height: number; reuse: boolean };

export type Outcome =
  | { id: number; ok: true; output?: string; bytes?: Uint8Array; json?: unknown; ms: number }
  | { id: number; ok: false; error: { code: string; message: string } };

export type FromWorker = { ready: RuntimeName } | { failed: string } | Outcome;

/** Each output format's file extension. */
export const EXTENSIONS = { png: "png", jpeg: "jpg", webp: "webp", avif: "avif" } as const;
