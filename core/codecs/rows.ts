/**
 * The shapes every streaming codec speaks: rows of RGBA (4 bytes a pixel, straight alpha),
 * top to bottom, a band at a time, so no image has to exist whole in memory.
 */

/** One decoding pass over an image. */
export interface RowReader {
  /** Size of the rows this pass produces (after any DCT scaling). */
  readonly width: number;
  readonly height: number;
  /**
   * Decodes up to `rows` more rows into `into` (RGBA, `width * 4` bytes a row, packed from
   * offset 0); returns how many it wrote, 0 once every row has been read.
   */
  read(into: Uint8Array, rows: number): number;
  /** Skips up to `rows` rows without producing them (cheaper than reading); returns how many. */
  skip(rows: number): number;
  /** Frees the decoder's memory; safe to call twice. */
  close(): void;
}

/** One encoding pass: rows in, encoded bytes out as they are produced. */
export interface RowWriter {
  /** Encodes `count` rows from `rows` (packed, in the writer's channel layout); returns new output bytes (a copy, possibly empty). */
  write(rows: Uint8Array, count: number): Uint8Array;
  /** Finishes the file; returns the last output bytes. */
  finish(): Uint8Array;
  /** Frees the encoder's memory; safe to call twice. */
  close(): void;
}
