import type { RowReader } from "../codecs/rows";

/**
 * Keeps the two most recent source rows a sampler needs, reading forward through `reader`.
 */
export class TwoRows {
  private readonly slots: [Uint8Array, Uint8Array];
  private readonly held: [number, number] = [-1, -1];
  private next = 0;

  constructor(private readonly reader: RowReader) {
    this.slots = [new Uint8Array(reader.width * 4), new Uint8Array(reader.width * 4)];
  }

  get width(): number {
    return this.reader.width;
  }

  get height(): number {
    return this.reader.height;
  }

  /** Source row `y` (never below a row already passed, except the two held). */
  row(y: number): Uint8Array {
    const at = this.held.indexOf(y);
    if (at >= 0) return this.slots[at];
    if (y > this.next) this.next += this.reader.skip(y - this.next);
    // Overwrite the older of the two.
    const slot = this.held[0] < this.held[1] ? 0 : 1;
    if (this.reader.read(this.slots[slot], 1) !== 1) throw new RangeError(`row ${y} is missing`);
    this.next++;
    this.held[slot] = y;
    return this.slots[slot];
  }
}

