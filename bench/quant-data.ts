/**
 * The photos quantization is fitted on and the ones it is judged on. The held-out split is
 * fixed by position (every third sorted photo from the second: 8 of 24) and calibration never
 * sees it; calibration uses every other photo, each also flipped and cropped.
 */
import { readFileSync } from "node:fs";
import type { RgbaImage } from "../core/image";
import { IMAGES, photo, photoNames } from "./masks";

export interface Split {
  heldOut: string[];
  calibration: string[];
}

export function split(): Split {
  const all = photoNames();
  return { heldOut: all.filter((_, i) => i % 3 === 1), calibration: all.filter((_, i) => i % 3 !== 1) };
}

export const decode = (file: string): RgbaImage => photo(readFileSync(`${IMAGES}/${file}`)).rgba;

function crop(img: RgbaImage, x0: number, y0: number, w: number, h: number): RgbaImage {
  const pixels = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) pixels.set(img.pixels.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, pixels };
}

function mirror(img: RgbaImage): RgbaImage {
  const { width: w, height: h } = img;
  const pixels = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) pixels.set(img.pixels.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), (y * w + (w - 1 - x)) * 4);
  return { width: w, height: h, pixels };
}

/** The calibration views of one photo: as is, mirrored, its centre (70 %), and its mirrored top-left 80 %. */
export function views(img: RgbaImage): { name: string; image: RgbaImage }[] {
  const { width: w, height: h } = img;
  const cw = Math.round(w * 0.7);
  const ch = Math.round(h * 0.7);
  return [
    { name: "as-is", image: img },
    { name: "mirrored", image: mirror(img) },
    { name: "centre", image: crop(img, Math.floor((w - cw) / 2), Math.floor((h - ch) / 2), cw, ch) },
    { name: "top-left-mirrored", image: mirror(crop(img, 0, 0, Math.round(w * 0.8), Math.round(h * 0.8))) },
  ];
}
