/**
 * The final mask, band by band: the network's mask upsampled (MaskRows), then the requested
 * post-processing in a fixed order: edge refinement (guided filter), cleanup (drop specks,
 * fill pinholes), threshold (hard cut), feather (soft edge of a chosen width).
 *
 * Refinement and threshold work on a band as it streams; refinement first needs one pass over
 * the photo to fit its coefficients. Cleanup and feather look at the whole mask, as do the
 * effects that find components (`/bbox`): for those the mask is held whole, one byte a pixel
 * (the only picture-sized buffer a baseline photo ever needs).
 */
import type { MaskRows } from "../mask";
import type { QueryParams } from "../params";
import { GuidedFilter, cleanup, feather, threshold } from "../refine";
import type { Ledger } from "./ledger";
import type { ImageSource } from "./sources";

export interface MaskOptions {
  refine: boolean;
  cleanup: boolean;
  threshold?: number;
  feather?: number;
}

export function readMaskOptions(params: QueryParams): MaskOptions {
  return {
    refine: params.flag("refine"),
    cleanup: params.flag("cleanup"),
    threshold: params.number("threshold", { min: 1, max: 255, integer: true }),
    feather: params.number("feather", { min: 0, max: 50 }),
  };
}

/** Rows per band: small enough that a band of a 12000 px row is under 1 MB of RGBA. */
export const BAND_ROWS = 16;

/** Runs `visit` over the photo's rows in bands (one decoding pass). */
export function forEachBand(source: ImageSource, ledger: Ledger, visit: (y0: number, rows: number, pixels: Uint8Array) => void): void {
  const reader = source.open();
  const band = ledger.bytes(source.width * 4 * BAND_ROWS);
  try {
    for (let y0 = 0; y0 < source.height; y0 += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, source.height - y0);
      if (reader.read(band, rows) !== rows) throw new RangeError("the photo ended early");
      visit(y0, rows, band);
    }
  } finally {
    reader.close();
    ledger.release(band);
  }
}

/** Whether these options make the pipeline hold the whole mask. */
export const holdsWholeMask = (options: MaskOptions) => options.cleanup || Boolean(options.feather);

export class MaskBands {
  private guided: GuidedFilter | undefined;
  private full: Uint8Array | undefined;

  constructor(
    private readonly base: MaskRows,
    private readonly options: MaskOptions,
    private readonly ledger: Ledger,
  ) {}

  get width(): number {
    return this.base.width;
  }

  get height(): number {
    return this.base.height;
  }

  /** True when `read` needs the photo's band (refinement applied as rows stream). */
  get needsPhoto(): boolean {
    return Boolean(this.guided) && !this.full;
  }

  /**
   * Does the passes that must come before any band is read: fits the refinement, and holds
   * the mask whole when the options (or `whole`) need it.
   */
  prepare(source: ImageSource, whole = false): void {
    const { width } = this;
    if (this.options.refine && !this.guided) {
      const guided = new GuidedFilter(width, this.height);
      this.ledger.take(guided.bytes);
      const band = this.ledger.bytes(width * BAND_ROWS);
      forEachBand(source, this.ledger, (y0, rows, pixels) => {
        this.base.read(y0, rows, band);
        guided.add(y0, rows, pixels, band);
      });
      this.ledger.release(band);
      guided.solve();
      this.guided = guided;
    }
    if ((whole || holdsWholeMask(this.options)) && !this.full) {
      const full = this.ledger.bytes(width * this.height);
      if (this.guided) {
        forEachBand(source, this.ledger, (y0, rows, pixels) => this.streamed(y0, rows, full.subarray(y0 * width), pixels, false));
      } else {
        this.base.read(0, this.height, full);
      }
      if (this.options.cleanup) cleanup(full, width, this.height);
      if (this.options.threshold !== undefined) threshold(full, this.options.threshold);
      if (this.options.feather) feather(full, width, this.height, this.options.feather);
      this.full = full;
    }
  }

  /** The whole mask (after `prepare(source, true)`). */
  whole(): Uint8Array {
    if (!this.full) throw new Error("MaskBands.whole before prepare(source, true)");
    return this.full;
  }

  /** Writes the final mask of rows y0 .. y0 + rows into `into`; `photo` is that band of the photo. */
  read(y0: number, rows: number, into: Uint8Array, photo?: Uint8Array): void {
    if (this.full) {
      into.set(this.full.subarray(y0 * this.width, (y0 + rows) * this.width));
      return;
    }
    this.streamed(y0, rows, into, photo, true);
  }

  private streamed(y0: number, rows: number, into: Uint8Array, photo: Uint8Array | undefined, withThreshold: boolean): void {
    const band = into.subarray(0, rows * this.width);
    this.base.read(y0, rows, band);
    if (this.guided) {
      if (!photo) throw new Error("refined mask rows need the photo's rows");
      this.guided.apply(y0, rows, photo, band);
    }
    if (withThreshold && this.options.threshold !== undefined) threshold(band, this.options.threshold);
  }

  /** Frees the whole mask when held. */
  release(): void {
    this.ledger.release(this.full);
    this.full = undefined;
  }
}
