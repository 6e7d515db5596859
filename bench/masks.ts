/** Reading the fixture photos and comparing masks with the reference masks, in Node. */
import { readFileSync, readdirSync } from "node:fs";
import { PhotonImage, SamplingFilter, resize } from "@cf-wasm/photon";

export const IMAGES = "test/fixtures/images";
export const MASKS = "test/fixtures/masks";

export const photoNames = (): string[] => readdirSync(IMAGES).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
export const baseName = (file: string) => file.replace(/\.[^.]+$/, "");

export interface Rgba {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Decodes (and optionally resizes) an image; returns its pixels and a JPEG of it. */
export function photo(bytes: Uint8Array, width?: number, height?: number, quality = 90): { rgba: Rgba; jpeg: Uint8Array<ArrayBuffer> } {
  let image = PhotonImage.new_from_byteslice(bytes);
  if (width && height) {
    const resized = resize(image, width, height, SamplingFilter.Lanczos3);
    image.free();
    image = resized;
  }
  const result = {
    rgba: { width: image.get_width(), height: image.get_height(), pixels: image.get_raw_pixels() },
    jpeg: new Uint8Array(image.get_bytes_jpeg(quality)),
  };
  image.free();
  return result;
}

/** One channel of a decoded PNG or JPEG (0 = red: the grey value of a mask). */
export function channelOf(bytes: Uint8Array, c: number): Uint8Array {
  const { rgba } = photo(bytes);
  const out = new Uint8Array(rgba.width * rgba.height);
  for (let i = 0; i < out.length; i++) out[i] = rgba.pixels[i * 4 + c];
  return out;
}

export const referenceMask = (file: string) => channelOf(readFileSync(`${MASKS}/${baseName(file)}.png`), 0);

/** Mean absolute error (0..1) and IoU of the masks thresholded at 128. */
export function compareMasks(actual: Uint8Array, expected: Uint8Array): { mae: number; iou: number } {
  if (actual.length !== expected.length) throw new Error(`mask sizes differ: ${actual.length} vs ${expected.length}`);
  let abs = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < actual.length; i++) {
    abs += Math.abs(actual[i] - expected[i]);
    const a = actual[i] >= 128;
    const b = expected[i] >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return { mae: abs / actual.length / 255, iou: union ? inter / union : 1 };
}

/** Mean MAE, mean and minimum IoU over a set of comparisons. */
export function summarise(scores: { mae: number; iou: number }[]): { images: number; mae: number; iou: number; minIou: number } {
  const n = scores.length || 1;
  return {
    images: scores.length,
    mae: scores.reduce((s, r) => s + r.mae, 0) / n,
    iou: scores.reduce((s, r) => s + r.iou, 0) / n,
    minIou: Math.min(...scores.map((r) => r.iou)),
  };
}
