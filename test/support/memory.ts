/**
 * The memory budget, read from what the front worker really holds after the largest input of
 * each kind has gone through every endpoint and effect: its codecs' WebAssembly memories
 * (they never shrink, so these are peaks for good) plus the typed arrays the pipeline itself
 * counted for the request (its Ledger). Workers give an isolate 128 MB for JS and WASM
 * together; the pipeline's share is 110 MB. Each kind runs in a test file of its own, so in a
 * fresh isolate: what one kind leaves in the codecs' memory is planned against by the next.
 */
import { expect } from "vitest";
import { ORIGIN, get, health } from "../helpers";

export const BUDGET = 110_000_000;
export const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

interface Memory {
  frontWasmBytes: number;
  frontPipelineLastBytes: number;
  frontCodecs: Record<string, number>;
  segmenterWasmBytes: number;
}

export const memory = async () => (await health()).memory as unknown as Memory;

/** Every endpoint and effect; the formats chosen so each encoder is used. */
export const EVERY_EFFECT = [
  "/mask",
  "/mask?refine=1&threshold=128",
  "/mask?cleanup=1",
  "/remove",
  "/remove?bg=ffffff&format=jpeg",
  "/remove?bg=blur&shadow=1&format=jpeg",
  `/remove?bg_url=${encodeURIComponent(`${ORIGIN}/large/4032x3024.jpg`)}&format=jpeg`,
  "/highlight?style=blur&format=jpeg",
  "/highlight?style=gray&format=jpeg",
  "/crop?w=512&h=512",
  "/crop?transparent=1&margin=5%",
  "/bbox",
  "/bbox?format=jpeg",
];
/** The one option that holds the whole mask (a blur over all of it). */
export const WHOLE_MASK = "/mask?feather=3";

export async function through(path: string, file: string): Promise<Response> {
  return get(`${path}${path.includes("?") ? "&" : "?"}url=${ORIGIN}/large/${file}`);
}

/** Sends `file` through `paths`, checking each answer and the budget after it. */
export async function everyEffect(file: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const response = await through(path, file);
    expect(response.status, `${path} on ${file}: ${response.status === 200 ? "" : await response.clone().text()}`).toBe(200);
    await response.arrayBuffer();
    const m = await memory();
    const total = m.frontWasmBytes + m.frontPipelineLastBytes;
    console.log(`${file} ${path.slice(0, 48)}: WASM ${MB(m.frontWasmBytes)} + pipeline ${MB(m.frontPipelineLastBytes)} = ${MB(total)}`);
    expect(total, `${path} on ${file}`).toBeLessThanOrEqual(BUDGET);
  }
}

