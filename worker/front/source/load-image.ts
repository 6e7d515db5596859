/**
 * A second image for composition (`bg_url=`): fetched like `url=`, checked like any input, and
 * streamed like the photo. It must fit in what the photo's memory plan leaves of the budget,
 * checked from its header before any decoding.
 */
import type { Codecs } from "../../../core/codecs";
import { ApiError } from "../../../core/errors";
import type { Ledger } from "../../../core/pipeline/ledger";
import { inspect, openPhoto } from "../../../core/pipeline/open";
import type { ImageSource } from "../../../core/pipeline/sources";
import { planMemory } from "../../../core/pipeline/budget";
import { asApiError } from "../codecs";
import type { Limits } from "../config";
import { checkPixels } from "../pipeline/route-plan";
import { loadSource } from "./source-cache";

/** @param spare bytes of the budget the photo leaves */
export async function loadImage(url: string, limits: Limits, sourceTtl: number, codecs: Codecs, ledger: Ledger, spare: number): Promise<ImageSource> {
  const bytes = await loadSource(url, limits, sourceTtl);
  try {
    const inspection = inspect(bytes, codecs, (size) => checkPixels(size, limits.maxPixels, limits.maxSide, "background"));
    const { parts } = planMemory(inspection, bytes.length, {});
    const held = parts.file + inspection.decoderBytes + parts.upright + parts.rows;
    if (held > spare) {
      throw new ApiError("image_too_large", `The background image needs ${Math.round(held / 1e6)} MB to decode beside the photo, which leaves ${Math.round(spare / 1e6)} MB; send a smaller one, a baseline JPEG or a plain PNG stored upright`);
    }
    ledger.take(bytes.length);
    const source = openPhoto(bytes, inspection, codecs, ledger);
    // Decoded once through before the answer starts, so a broken file is a clean 422, never a cut answer.
    const check = source.open({ width: 1, height: 1 }); // the cheapest pass: DCT-scaled for JPEG
    const row = new Uint8Array(check.width * 4);
    for (let y = 0; y < check.height; y++) check.read(row, 1);
    check.close();
    return source;
  } catch (error) {
    throw asApiError(error);
  }
}
