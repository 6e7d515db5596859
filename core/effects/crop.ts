import { ApiError } from "../errors";
import { RowResizer, fillBackground, fitBox, marginBox, objectBox, parseColor, type Box } from "../compose";
import type { Rgba } from "../image";
import type { Ledger } from "../pipeline/ledger";
import type { Length } from "../params";
import { maskBands, photoBands, type Job } from "../pipeline/job";
import { BAND_ROWS } from "../pipeline/mask-bands";
import { maskToAlpha, type Effect } from "./effect";

/** How a w×h thumbnail frames the object: `cover` fills it (cropping around the object), `contain` fits the object inside (the answer may be smaller), `pad` fits it and fills the rest with `bg`. */
const FITS = ["salient", "cover", "contain", "pad"] as const;
type Fit = (typeof FITS)[number];

interface CropOptions {
  margin: Length;
  transparent: boolean;
  size?: { width: number; height: number };
  fit: Fit;
  /** Behind the object with `transparent=1`, and around it with `fit=pad`. */
  bg?: Rgba;
}

/** Largest thumbnail side, after `dpr`. */
const MAX_THUMBNAIL = 2048;
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/**
 * `/crop`: the salient object cropped tight, grown by `margin`; `transparent=1` keeps only the
 * object. With `w` and `h` it is a thumbnail of exactly w×h framed on the object: the object
 * whole and centred where the aspect ratio allows (`fit=cover`, alias `salient`); `fit=contain`
 * fits the object's box inside w×h, `fit=pad` does too and fills the rest with `bg` (white, or
 * transparent with `transparent=1`). `dpr=1..3` multiplies w and h, as image CDNs do. `bg`
 * with `transparent=1` puts the object on that colour. A photo with no salient object is
 * framed as a whole. `X-Crop-Box: x0,y0,x1,y1` says which rectangle of the photo the answer shows.
 */
export const crop: Effect<CropOptions> = {
  name: "crop",
  summary: "salient object cropped tight, or a w×h thumbnail framed on it",
  parse(params) {
    const fit = params.oneOf("fit", FITS) ?? "cover";
    const dpr = params.number("dpr", { min: 1, max: 3 }) ?? 1;
    const width = params.number("w", { min: 1, max: MAX_THUMBNAIL, integer: true });
    const height = params.number("h", { min: 1, max: MAX_THUMBNAIL, integer: true });
    if ((width === undefined) !== (height === undefined)) throw new ApiError("invalid_parameter", "w and h go together");
    const scaled = (side: number) => Math.max(1, Math.round(side * dpr));
    const size = width && height ? { width: scaled(width), height: scaled(height) } : undefined;
    if (size && Math.max(size.width, size.height) > MAX_THUMBNAIL) {
      throw new ApiError("invalid_parameter", `dpr=${dpr}: w and h times dpr must stay within ${MAX_THUMBNAIL}`);
    }
    const bgText = params.raw("bg");
    const bg = bgText === undefined ? undefined : parseColor(bgText);
    if (bg === null) throw new ApiError("invalid_parameter", `bg=${JSON.stringify(bgText).slice(0, 40)}: expected a hex colour (fff, ffffff, ffffff80)`);
    return {
      margin: params.length("margin", 4096) ?? { px: 0 },
      transparent: params.flag("transparent"),
      size,
      fit: fit === "salient" ? "cover" : fit,
      bg,
    };
  },
  render(job, { margin, transparent, size, fit, bg }) {
    const { width, height } = job;
    const whole: Box = { x0: 0, y0: 0, x1: width, y1: height };
    const object = streamedObjectBox(job) ?? whole;
    const grown = marginBox(object, width, height, margin);
    const rect = size && fit === "cover" ? fitBox(grown, width, height, size.width, size.height) : grown;
    const inner = size ? (fit === "cover" ? size : containedSize(rect, size)) : { width: rect.x1 - rect.x0, height: rect.y1 - rect.y0 };
    const behind = transparent ? bg : undefined;
    const pad = size && fit === "pad" ? (bg ?? (transparent ? CLEAR : WHITE)) : undefined;
    const out = pad && size ? size : inner;
    const opaque = (transparent ? behind?.[3] === 255 : job.source.opaque) && (!pad || pad[3] === 255);
    const window = () => windowBands(job, rect, transparent, behind, inner.width, inner.height);
    return {
      picture: {
        width: out.width,
        height: out.height,
        channels: 4,
        opaque,
        bands: () => (pad ? padBands(window(), inner, out, pad, job.ledger) : window()),
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

/** The largest size of `rect`'s aspect ratio within `box` (the object whole, nothing cut). */
function containedSize(rect: Box, box: { width: number; height: number }) {
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  const scale = Math.min(box.width / w, box.height / h);
  return { width: Math.min(box.width, Math.max(1, Math.round(w * scale))), height: Math.min(box.height, Math.max(1, Math.round(h * scale))) };
}

/**
 * Bands of the rectangle `rect` of the photo, resized to outW × outH when that differs; with
 * `transparent`, the background is cleared, or filled with `behind` as `/remove?bg=` does.
 */
function* windowBands(job: Job, rect: Box, transparent: boolean, behind: Rgba | undefined, outW: number, outH: number): Generator<Uint8Array> {
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
      const maskRow = mask.subarray((y - y0) * job.width + rect.x0, (y - y0) * job.width + rect.x1);
      if (transparent && behind) fillBackground({ width, height: 1, pixels: row }, maskRow, behind);
      else if (transparent) maskToAlpha(row, maskRow, width);
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

/** `inner`'s bands centred on an `out`-sized canvas of `color` (fit=pad). */
function* padBands(inner: Iterable<Uint8Array>, size: { width: number; height: number }, out: { width: number; height: number }, color: Rgba, ledger: Ledger): Generator<Uint8Array> {
  const left = Math.floor((out.width - size.width) / 2);
  const top = Math.floor((out.height - size.height) / 2);
  const line = out.width * 4;
  const blank = new Uint8Array(line);
  for (let x = 0; x < line; x += 4) blank.set(color, x);
  const band = ledger.bytes(line * BAND_ROWS);
  const rows = rowsOf(inner, size.width * 4);
  let filled = 0;
  for (let y = 0; y < out.height; y++) {
    const row = band.subarray(filled * line, (filled + 1) * line);
    row.set(blank);
    if (y >= top && y < top + size.height) row.set(rows.next().value as Uint8Array, left * 4);
    if (++filled === BAND_ROWS || y === out.height - 1) {
      yield band.subarray(0, filled * line);
      filled = 0;
    }
  }
}

/** The rows of a sequence of bands, one at a time (each valid until the next is asked for). */
function* rowsOf(bands: Iterable<Uint8Array>, stride: number): Generator<Uint8Array> {
  for (const band of bands) for (let at = 0; at < band.length; at += stride) yield band.subarray(at, at + stride);
}
