/**
 * One photo on its way through the pipeline, after the model has run: the upright photo as a
 * source of rows, the final mask by bands, and the lazily made preview for blurs. Effects
 * read it; `photoBands` is the loop most of them need.
 */
import type { Picture } from "../effects/effect";
import type { MaskRows } from "../mask";
import type { Ledger } from "./ledger";
import { BAND_ROWS, type MaskBands } from "./mask-bands";
import { makePreview, type Preview } from "./preview";
import type { ImageSource } from "./sources";

export class Job {
  private made: Preview | undefined;

  constructor(
    readonly source: ImageSource,
    readonly mask: MaskBands,
    readonly base: MaskRows,
    readonly ledger: Ledger,
    /** The model that made the mask. */
    readonly model: string,
  ) {}

  get width(): number {
    return this.source.width;
  }

  get height(): number {
    return this.source.height;
  }

  /** The small copy of the photo and mask the blurs work on (made on first use). */
  preview(): Preview {
    this.made ??= makePreview(this.source, this.mask, this.base, this.ledger);
    return this.made;
  }
}

export interface PhotoBand {
  y0: number;
  rows: number;
  /** RGBA rows of the photo (reused from band to band). */
  pixels: Uint8Array;
  /** The final mask's same rows. */
  mask: Uint8Array;
}

/** One decoding pass over the photo, band by band, each with its mask rows. */
export function* photoBands(job: Job): Generator<PhotoBand> {
  const { source, mask, ledger, width, height } = job;
  const reader = source.open();
  const pixels = ledger.bytes(width * 4 * BAND_ROWS);
  const maskBand = ledger.bytes(width * BAND_ROWS);
  try {
    for (let y0 = 0; y0 < height; y0 += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, height - y0);
      if (reader.read(pixels, rows) !== rows) throw new RangeError("the photo ended early");
      mask.read(y0, rows, maskBand, pixels);
      yield { y0, rows, pixels: pixels.subarray(0, rows * width * 4), mask: maskBand.subarray(0, rows * width) };
    }
  } finally {
    reader.close();
    ledger.release(pixels);
    ledger.release(maskBand);
  }
}

/** The final mask alone, band by band (decoding the photo only when refinement needs it). */
export function* maskBands(job: Job): Generator<{ y0: number; rows: number; mask: Uint8Array }> {
  if (job.mask.needsPhoto) {
    yield* photoBands(job);
    return;
  }
  const band = job.ledger.bytes(job.width * BAND_ROWS);
  try {
    for (let y0 = 0; y0 < job.height; y0 += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, job.height - y0);
      job.mask.read(y0, rows, band);
      yield { y0, rows, mask: band.subarray(0, rows * job.width) };
    }
  } finally {
    job.ledger.release(band);
  }
}

/** An RGBA answer the photo's size, each band of the photo changed in place by `compose`. */
export function photoPicture(job: Job, opaque: boolean, compose: (band: PhotoBand) => void): Picture {
  return {
    width: job.width,
    height: job.height,
    channels: 4,
    opaque,
    *bands() {
      for (const band of photoBands(job)) {
        compose(band);
        yield band.pixels;
      }
    },
  };
}
