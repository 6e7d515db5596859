/**
 * The peers, each in a child process of its own (its memory and threads are its own):
 *  - plain onnxruntime-web fp32 in Node: the stock u2netp.onnx, default session options, one
 *    thread (bench/model-check.ts --model stock); and, beside it, this product's int8 graph in
 *    the same runtime (no workerd in between);
 *  - @imgly/background-removal-node, installed on demand into bench/peers (AGPL-3.0: never a
 *    dependency of the product); skipped, with the reason, when it cannot be installed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelSpec } from "../core/models";
import { IMAGES, MASKS } from "./masks";

export interface PeerResult {
  createMs?: number;
  ms: number[];
  accuracy: { images: number; mae: number; iou: number; minIou: number };
  memory: string;
  note: string;
}

/** bench/model-check.ts in a child process: its figures as a row. */
function modelCheck(args: string[], note: string): PeerResult {
  const out = join(mkdtempSync(join(tmpdir(), "bench-ortweb-")), "check.json");
  execFileSync("node", ["node_modules/tsx/dist/cli.mjs", "bench/model-check.ts", ...args, "--json", out], { stdio: ["ignore", "ignore", "inherit"] });
  const r = JSON.parse(readFileSync(out, "utf8"));
  return {
    createMs: r.createMs,
    ms: r.ms,
    accuracy: { images: r.images, mae: r.vsReference.mae, iou: r.vsReference.meanIoU128, minIou: r.vsReference.minIoU128 },
    memory: `WASM ${(r.wasmBytesPeak / 2 ** 20).toFixed(1)} MiB`,
    note,
  };
}

export function ortWebNode(images: number): PeerResult {
  return modelCheck(["--model", "stock", "--images", String(images)], "stock u2netp.onnx, default options (graph level all), 1 thread, Node");
}

/** One of this product's self-contained graphs (the int8 one) with its shipped session options, in Node. */
export function edgeGraphInNode(spec: ModelSpec, graph: string, images: number): PeerResult {
  const level = String(spec.session.graphOptimizationLevel ?? "all");
  const pregrow = spec.memoryReserveBytes ? ["--pregrow", String(spec.memoryReserveBytes)] : [];
  return modelCheck(["--model", graph, "--level", level, ...pregrow, "--images", String(images)], `${graph}, the shipped session options and memory reserve, 1 thread, Node: the ORT-web peer's runtime`);
}

const PEERS = "bench/peers";

/** Installs the peers' locked dependencies once; returns why not when that fails (offline). */
function installPeers(): string | null {
  if (existsSync(join(PEERS, "node_modules/@imgly/background-removal-node"))) return null;
  try {
    execFileSync("npm", ["--prefix", PEERS, "ci", "--no-audit", "--no-fund"], { stdio: ["ignore", "ignore", "pipe"] });
    return null;
  } catch (error) {
    return `npm --prefix ${PEERS} ci failed: ${String((error as { stderr?: Buffer }).stderr ?? error).split("\n").find((l) => /error/i.test(l)) ?? "unknown"}`;
  }
}

export function imgly(model: "small" | "medium", photos: string[]): PeerResult | { skipped: string } {
  const reason = installPeers();
  if (reason) return { skipped: reason };
  const log = execFileSync("node", [join(PEERS, "imgly.mjs"), model, MASKS, ...photos.map((p) => join(IMAGES, p))], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  const r = JSON.parse(log.trim().split("\n").pop()!) as { rows: { ms: number; mae: number; iou: number }[]; peakRssBytes: number };
  const rows = r.rows;
  return {
    // The first photo pays for session creation: report it apart from the per-image times.
    createMs: rows[0].ms,
    ms: rows.slice(1).map((row) => row.ms),
    accuracy: {
      images: rows.length,
      mae: rows.reduce((s, row) => s + row.mae, 0) / rows.length,
      iou: rows.reduce((s, row) => s + row.iou, 0) / rows.length,
      minIou: Math.min(...rows.map((row) => row.iou)),
    },
    memory: `RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    note: `@imgly/background-removal-node 1.4.5, ISNet '${model}' at 1024², onnxruntime-node, all cores, PNG out`,
  };
}
