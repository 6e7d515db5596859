/**
 * One raw video frame through the cutout: rgb24 in, the remove effect's picture out as raw
 * rgba, or rgb24 when the result is opaque (a solid `--bg`), ready for ffmpeg's rawvideo.
 */
import type { Codecs } from "../../core/codecs/index.ts";
import type { Ledger } from "../../core/pipeline/ledger.ts";
import { imageSource } from "../../core/pipeline/sources.ts";
import { renderSource, type Request } from "./pipeline.ts";
import type { Segmenter } from "./runtime.ts";

/** Bytes a pixel of the frames `frames` writes for these options. */
export const outputChannels = (opaque: boolean) => (opaque ? 3 : 4);

export async function renderFrame(frame: { pixels: Uint8Array; width: number; height: number }, request: Request, codecs: Codecs, model: Segmenter, ledger: Ledger): Promise<Uint8Array> {
  const { width, height, pixels: rgb } = frame;
  const rgba = new Uint8Array(width * height * 4);
  for (let s = 0, d = 0; s < rgb.length; s += 3, d += 4) {
    rgba[d] = rgb[s];
    rgba[d + 1] = rgb[s + 1];
    rgba[d + 2] = rgb[s + 2];
    rgba[d + 3] = 255;
  }
  const output = await renderSource(imageSource({ width, height, pixels: rgba }, true), request, codecs, model, ledger);
  if (!("picture" in output)) throw new Error("the frame effect answered JSON");
  const { picture } = output;
  const channels = outputChannels(picture.opaque);
  const out = new Uint8Array(width * height * channels);
  let at = 0;
  for (const band of picture.bands()) {
    if (channels === 4) out.set(band, at);
    else for (let s = 0, d = at; s < band.length; s += 4, d += 3) {
      out[d] = band[s];
      out[d + 1] = band[s + 1];
      out[d + 2] = band[s + 2];
    }
    at += (band.length / 4) * channels;
  }
  return out;
}
