/**
 * Runs an effect through the streaming band pipeline the way the front worker does
 * (worker/front/pipeline/segment.ts), but on a photo and network mask held in memory, and
 * gathers the picture's bands into one buffer so it can be compared with whole-image results.
 */
import { EFFECTS } from "../../core/effects";
import type { RgbaImage } from "../../core/image";
import { MaskRows } from "../../core/mask";
import { QueryParams } from "../../core/params";
import { Job } from "../../core/pipeline/job";
import { Ledger } from "../../core/pipeline/ledger";
import { BAND_ROWS, MaskBands, readMaskOptions } from "../../core/pipeline/mask-bands";
import { imageSource } from "../../core/pipeline/sources";

export interface TestPhoto {
  name: string;
  image: RgbaImage;
  /** True when every alpha of the photo is 255. */
  opaque: boolean;
  /** The network-size (320 × 320) mask the pipeline upsamples. */
  mask320: Uint8Array;
}

export interface BandResult {
  picture?: { width: number; height: number; channels: 1 | 4; opaque: boolean };
  /** All bands, concatenated (each band copied: a band is only valid until the next). */
  bytes: Uint8Array;
  /** Bands of a wrong size or row count, described; empty when all are right. */
  badBands: string[];
  json?: unknown;
  headers: Record<string, string>;
}

/** Renders `url` (e.g. `/remove?bg=blur`) on `photo`; `background` answers `bg_url=`. */
export async function renderBands(photo: TestPhoto, url: string, background?: RgbaImage): Promise<BandResult> {
  const parsed = new URL(url, "http://edge.test");
  const effect = EFFECTS.find((e) => e.name === parsed.pathname.slice(1));
  if (!effect) throw new Error(`no effect for ${url}`);
  const params = QueryParams.from(parsed.href);
  const { width, height } = photo.image;
  const ledger = new Ledger();
  const base = new MaskRows(photo.mask320, 320, 320, width, height);
  const source = imageSource(photo.image, photo.opaque);
  const mask = new MaskBands(base, readMaskOptions(params), new Ledger());
  mask.prepare(source); // as segment() does before any effect runs
  const job = new Job(source, mask, base, ledger, "test");
  const options = effect.parse(params, { vetUrl: (u) => u });
  const output = await effect.render(job, options, {
    loadImage: async () => {
      if (!background) throw new Error("no background given");
      return imageSource(background);
    },
    format: params.raw("format"),
  });
  const headers = output.headers ?? {};
  if ("json" in output) return { json: output.json, bytes: new Uint8Array(0), badBands: [], headers };

  const { picture } = output;
  const line = picture.width * picture.channels;
  const bytes = new Uint8Array(line * picture.height);
  const badBands: string[] = [];
  let rows = 0;
  for (const band of picture.bands()) {
    const n = band.length / line;
    if (!Number.isInteger(n) || n < 1 || n > BAND_ROWS) badBands.push(`band at row ${rows}: ${band.length} bytes`);
    if (rows * line + band.length > bytes.length) {
      badBands.push(`band at row ${rows} runs past the picture`);
      break;
    }
    bytes.set(band, rows * line);
    rows += Math.floor(n);
  }
  if (rows !== picture.height) badBands.push(`${rows} rows for a picture ${picture.height} high`);
  const { width: w, height: h, channels, opaque } = picture;
  return { picture: { width: w, height: h, channels, opaque }, bytes, badBands, headers };
}
