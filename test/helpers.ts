/**
 * Helpers for tests that run inside workerd. Files come from the Node-side image origin
 * (test/origin), which is also where failing comparisons leave their images.
 */
import { PhotonImage } from "@cf-wasm/photon";
import { SELF } from "cloudflare:test";

export const ORIGIN = "https://images.test";

/** The hosts of the test world (test/origin): the image origin, its control host, the GPU stand-in. */
export const TEST_HOSTS = ["images.test", "origin.test", "gpu.test"];

export async function fixture(path: string): Promise<Uint8Array> {
  const response = await fetch(`${ORIGIN}/${path}`);
  if (!response.ok) throw new Error(`fixture ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The photos under test/fixtures/images, sorted. */
export async function photoNames(): Promise<string[]> {
  return (await fetch(`${ORIGIN}/images/index.json`)).json();
}

export const baseName = (file: string) => file.replace(/\.[^.]+$/, "");

export interface Decoded {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function decode(bytes: Uint8Array): Decoded {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

/** One channel (0 = R … 3 = A) of an RGBA buffer. */
export function channel(rgba: Uint8Array, c: number): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4 + c];
  return out;
}

/** Mean absolute error on a 0..1 scale, and IoU of the two masks thresholded at 128. */
export function compareMasks(actual: Uint8Array, expected: Uint8Array): { mae: number; iou: number } {
  if (actual.length !== expected.length) throw new Error(`size ${actual.length} ≠ ${expected.length}`);
  let error = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < actual.length; i++) {
    error += Math.abs(actual[i] - expected[i]);
    const a = actual[i] >= 128;
    const b = expected[i] >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return { mae: error / actual.length / 255, iou: union ? inter / union : 1 };
}

/** Leaves actual and expected images in test/artifacts for a person to look at. */
export async function saveArtifact(name: string, bytes: Uint8Array): Promise<void> {
  await fetch(`https://origin.test/artifacts/${name}`, { method: "PUT", body: bytes });
}

/** POSTs an image to the front worker. */
export function post(path: string, body: BodyInit, headers?: HeadersInit): Promise<Response> {
  return SELF.fetch(`http://edge.test${path}`, { method: "POST", body, headers });
}

export function get(path: string, headers?: HeadersInit): Promise<Response> {
  return SELF.fetch(`http://edge.test${path}`, { headers });
}

/** Parses a JSON error answer and returns its code. */
export async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string; message?: string } };
  if (typeof body.error?.code !== "string" || typeof body.error?.message !== "string") {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body.error.code;
}

export async function health(): Promise<{
  ready: boolean;
  memory: { frontWasmBytes: number; segmenterWasmBytes: number };
  counters: { inferences: number; decoderTraps: number };
}> {
  return (await get("/health")).json();
}

/** How many positions differ (vitest's deep equality is far too slow on megapixel arrays). */
export function mismatches(a: Uint8Array | undefined, b: Uint8Array | undefined): number {
  if (!a || !b || a.length !== b.length) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Inferences the segmenter has run since it started: a cached answer must not add one. */
export async function inferences(): Promise<number> {
  return (await health()).counters.inferences;
}

/** How many times the image origin was asked for exactly this URL. */
export async function originHits(url: string): Promise<number> {
  return (await fetch(`https://origin.test/hits/url?u=${encodeURIComponent(url)}`)).json();
}
