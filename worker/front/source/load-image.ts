/**
 * A second image for composition (`bg_url=`): fetched like `url=`, checked like any input, and
 * limited to half the pixel cap, since it is held beside the photo.
 */
import type { Limits } from "../config";
import { decodeImage, type RgbaImage } from "../image/decode";
import { sniffImage } from "../image/sniff";
import { checkSize } from "../pipeline/segment";
import { loadSource } from "./source-cache";

export async function loadImage(url: string, limits: Limits, sourceTtl: number): Promise<RgbaImage> {
  const bytes = await loadSource(url, limits, sourceTtl);
  const info = sniffImage(bytes);
  checkSize(info, { ...limits, maxPixels: Math.floor(limits.maxPixels / 2) });
  return decodeImage(bytes, info);
}
