import { ApiError } from "../errors";
import { cropImage, fitBox, marginBox, objectBox, resizeImage, type Box } from "../compose";
import type { Length } from "../params";
import { applyMaskAsAlpha, rgbaResult, type Effect } from "./effect";

interface CropOptions {
  margin: Length;
  transparent: boolean;
  size?: { width: number; height: number };
}

const MAX_THUMBNAIL = 2048;

/**
 * `/crop`: the salient object cropped tight, grown by `margin`; `transparent=1` keeps only the
 * object. With `w` and `h` it is a thumbnail of exactly w×h framed on the object: the object
 * whole and centred where the aspect ratio allows (`fit=salient`, the only framing so far).
 * A photo with no salient object is framed as a whole. `X-Crop-Box: x0,y0,x1,y1` says which
 * rectangle of the photo the answer shows.
 */
export const crop: Effect<CropOptions> = {
  name: "crop",
  summary: "salient object cropped tight, or a w×h thumbnail framed on it",
  parse(params) {
    params.oneOf("fit", ["salient"] as const);
    const width = params.number("w", { min: 1, max: MAX_THUMBNAIL, integer: true });
    const height = params.number("h", { min: 1, max: MAX_THUMBNAIL, integer: true });
    if ((width === undefined) !== (height === undefined)) throw new ApiError("invalid_parameter", "w and h go together");
    return {
      margin: params.length("margin", 4096) ?? { px: 0 },
      transparent: params.flag("transparent"),
      size: width && height ? { width, height } : undefined,
    };
  },
  render({ image, mask }, { margin, transparent, size }) {
    const whole: Box = { x0: 0, y0: 0, x1: image.width, y1: image.height };
    const object = objectBox(mask, image.width, image.height) ?? whole;
    const grown = marginBox(object, image.width, image.height, margin);
    const rect = size ? fitBox(grown, image.width, image.height, size.width, size.height) : grown;
    if (transparent) applyMaskAsAlpha(image, mask);
    const cropped = cropImage(image, rect);
    const result = rgbaResult(size ? resizeImage(cropped, size.width, size.height) : cropped);
    // Where the crop came from, in the photo's pixels: lets clients map coordinates back.
    return { ...result, headers: { "x-crop-box": `${rect.x0},${rect.y0},${rect.x1},${rect.y1}` } };
  },
};
