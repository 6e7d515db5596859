/**
 * The final mask, band by band: the network's mask upsampled (MaskRows), then the requested
 * post-processing in a fixed order: edge refinement (guided filter), cleanup (drop specks,
 * fill pinholes), threshold (hard cut), feather (soft edge of a chosen width).
 *
 * Refinement and threshold work on a band as it streams; refinement first needs one pass over
 * the photo to fit its coefficients. Cleanup and components (`/bbox`) read the rows several
 * times in order and keep only runs. Feather blurs the whole mask, and refinement combined with
 * cleanup or components would need the photo decoded for every read: those hold the mask
 * whole, one byte a pixel (the only picture-sized buffer a baseline photo ever needs).
 */
import type { MaskRows } from "../mask";
import type { QueryParams } from "../params";
import { GuidedFilter, cleanupRows, feather, threshold, type MaskRow } from "../refine";
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

/**
 * Whether these options make the pipeline hold the whole mask; `rowsAgain` when the effect
 * reads the final rows more than once (components).
 */
export const holdsWholeMask = (options: MaskOptions, rowsAgain = false) =>
  Boolean(options.feather) || (options.refine && (options.cleanup || rowsAgain));

export class MaskBands {
  private guided: GuidedFilter | undefined;
  private full: Uint8Array | undefined;
  /** The cleaned rows (before threshold), when cleanup streams. */
  private cleaned: MaskRow | undefined;
  private readonly scratch: Uint8Array;

  constructor(
    private readonly base: MaskRows,
    private readonly options: MaskOptions,
    private readonly ledger: Ledger,
  ) {
    this.scratch = new Uint8Array(base.width);
  }

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
   * Does the passes that must come before any band is read: fits the refinement, finds what
   * cleanup removes, and holds the mask whole when the options need it (`rowsAgain`: the
   * effect reads the final rows more than once).
   */
  prepare(source: ImageSource, rowsAgain = false): void {
    const { width, height } = this;
    if (this.options.refine && !this.guided) {
      const guided = new GuidedFilter(width, height);
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
    if (this.full) return;
    if (holdsWholeMask(this.options, rowsAgain)) {
      const full = this.ledger.bytes(width * height);
      if (this.guided) forEachBand(source, this.ledger, (y0, rows, pixels) => this.refined(y0, rows, full.subarray(y0 * width), pixels));
      else this.base.read(0, height, full);
      const rows = this.options.cleanup ? cleanupRows((y) => full.subarray(y * width, (y + 1) * width), width, height) : null;
      if (rows) for (let y = 0; y < height; y++) full.set(rows(y), y * width);
      if (this.options.threshold !== undefined) threshold(full, this.options.threshold);
      if (this.options.feather) feather(full, width, height, this.options.feather);
      this.full = full;
    } else if (this.options.cleanup && !this.cleaned) {
      const row = new Uint8Array(width);
      this.cleaned = cleanupRows((y) => (this.base.read(y, 1, row), row), width, height);
    }
  }

  /**
   * Row `y` of the final mask, asked for in any order; only when no photo is needed
   * (`needsPhoto` false). Valid until the next call.
   */
  row(y: number): Uint8Array {
    if (this.full) return this.full.subarray(y * this.width, (y + 1) * this.width);
    this.read(y, 1, this.scratch);
    return this.scratch;
  }

  /** Writes the final mask of rows y0 .. y0 + rows into `into`; `photo` is that band of the photo. */
  read(y0: number, rows: number, into: Uint8Array, photo?: Uint8Array): void {
    const { width } = this;
    if (this.full) {
      into.set(this.full.subarray(y0 * width, (y0 + rows) * width));
      return;
    }
    const band = into.subarray(0, rows * width);
    if (this.cleaned) for (let r = 0; r < rows; r++) band.set(this.cleaned(y0 + r), r * width);
    else this.refined(y0, rows, band, photo);
    if (this.options.threshold !== undefined) threshold(band, this.options.threshold);
  }

  /** The upsampled mask, refined when asked. */
  private refined(y0: number, rows: number, into: Uint8Array, photo: Uint8Array | undefined): void {
    const band = into.subarray(0, rows * this.width);
    this.base.read(y0, rows, band);
    if (this.guided) {
      if (!photo) throw new Error("refined mask rows need the photo's rows");
      this.guided.apply(y0, rows, photo, band);
    }
  }
}
