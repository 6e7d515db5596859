/** Decoding result images in Node (photon's Node build, as test/origin uses) and comparing them. */
import { PhotonImage } from "@cf-wasm/photon";
import type { Page } from "playwright-core";

export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function decode(bytes: Uint8Array): Pixels {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

export function alphaOf({ rgba }: Pixels): Uint8Array {
  const alpha = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[i * 4 + 3];
  return alpha;
}

/** Largest absolute difference between two equal-length byte arrays. */
export function maxDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** The bytes behind an <img> (a blob: URL the page made), read from inside the page. */
export async function imageBytes(page: Page, selector: string): Promise<Uint8Array> {
  const base64 = await page.$eval(selector, async (img) => {
    const blob = await (await fetch((img as HTMLImageElement).src)).blob();
    return new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",")[1]);
      reader.readAsDataURL(blob);
    });
  });
  return new Uint8Array(Buffer.from(base64, "base64"));
}
