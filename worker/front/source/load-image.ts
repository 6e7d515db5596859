/**
 * A second image for composition (`bg_url=`): fetched like `url=`, checked like any input, and
 * streamed like the photo. Its size counts against the same memory plan, so it is refused from
 * its header when it could not stream beside the photo (progressive, interlaced, rotated, WebP
 * are limited to a quarter of the budget).
 */
import type { Codecs } from "../../../core/codecs";
import { ApiError } from "../../../core/errors";
import type { Ledger } from "../../../core/pipeline/ledger";
import { inspect, openPhoto } from "../../../core/pipeline/open";
import type { ImageSource } from "../../../core/pipeline/sources";
import { FRONT_BUDGET_BYTES } from "../../../core/pipeline/budget";
import { asApiError } from "../codecs";
import type { Limits } from "../config";
import { checkPixels } from "../pipeline/route-plan";
import { loadSource } from "./source-cache";

export async function loadImage(url: string, limits: Limits, sourceTtl: number, codecs: Codecs, ledger: Ledger): Promise<ImageSource> {
  const bytes = await loadSource(url, limits, sourceTtl);
  try {
    const inspection = inspect(bytes, codecs);
    checkPixels(inspection, limits.maxPixels, limits.maxSide, "background");
    const held = inspection.decoderBytes + inspection.uprightBytes;
    if (held > FRONT_BUDGET_BYTES / 4) {
      throw new ApiError("image_too_large", `The background image needs ${Math.round(held / 1e6)} MB to decode beside the photo; send a baseline JPEG or a plain PNG stored upright`);
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
