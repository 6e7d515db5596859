import { ApiError } from "../errors";
import { RowResizer, fitBox, marginBox, objectBox, type Box } from "../compose";
import type { Length } from "../params";
import { maskBands, photoBands, type Job } from "../pipeline/job";
import { BAND_ROWS } from "../pipeline/mask-bands";
import { maskToAlpha, type Effect } from "./effect";

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
  render(job, { margin, transparent, size }) {
    const { width, height } = job;
    const whole: Box = { x0: 0, y0: 0, x1: width, y1: height };
    const object = streamedObjectBox(job) ?? whole;
    const grown = marginBox(object, width, height, margin);
    const rect = size ? fitBox(grown, width, height, size.width, size.height) : grown;
    const outW = size?.width ?? rect.x1 - rect.x0;
    const outH = size?.height ?? rect.y1 - rect.y0;
    return {
      picture: {
        width: outW,
        height: outH,
        channels: 4,
        opaque: job.source.opaque && !transparent,
        bands: () => windowBands(job, rect, transparent, outW, outH),
      },
      // Where the crop came from, in the upright photo's pixels: lets clients map coordinates back.
      headers: { "x-crop-box": `${rect.x0},${rect.y0},${rect.x1},${rect.y1}` },
    };
  },
};

/** The tight box of the final mask, found as its bands stream past. */
function streamedObjectBox(job: Job): Box | null {
  let found: Box | null = null;
  for (const { y0, rows, mask } of maskBands(job)) {
    const box = objectBox(mask, job.width, rows);
    if (!box) continue;
    if (!found) found = { x0: box.x0, y0: y0 + box.y0, x1: box.x1, y1: y0 + box.y1 };
    else found = { x0: Math.min(found.x0, box.x0), y0: found.y0, x1: Math.max(found.x1, box.x1), y1: y0 + box.y1 };
  }
  return found;
}

/** Bands of the rectangle `rect` of the photo, resized to outW × outH when that differs. */
function* windowBands(job: Job, rect: Box, transparent: boolean, outW: number, outH: number): Generator<Uint8Array> {
  const width = rect.x1 - rect.x0;
  const line = width * 4;
  const pending: Uint8Array[] = [];
  const resizer = new RowResizer(width, rect.y1 - rect.y0, outW, outH, (row) => pending.push(row.slice()));
  const band = job.ledger.bytes(outW * 4 * BAND_ROWS);
  for (const { y0, rows, pixels, mask } of photoBands(job)) {
    if (y0 + rows <= rect.y0) continue;
    if (y0 >= rect.y1) break;
    for (let y = Math.max(y0, rect.y0); y < Math.min(y0 + rows, rect.y1); y++) {
      const row = pixels.subarray(((y - y0) * job.width + rect.x0) * 4, ((y - y0) * job.width + rect.x1) * 4);
      if (transparent) maskToAlpha(row, mask.subarray((y - y0) * job.width + rect.x0), width);
      resizer.push(row.subarray(0, line));
    }
    while (pending.length >= BAND_ROWS) yield take(pending, band, BAND_ROWS);
  }
  while (pending.length > 0) yield take(pending, band, Math.min(BAND_ROWS, pending.length));
}

/** Moves `rows` pending rows into `band`; returns the filled part. */
function take(pending: Uint8Array[], band: Uint8Array, rows: number): Uint8Array {
  const stride = pending[0].length;
  for (let r = 0; r < rows; r++) band.set(pending.shift()!, r * stride);
  return band.subarray(0, rows * stride);
}
