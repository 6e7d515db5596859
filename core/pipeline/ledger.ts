/**
 * The pipeline's own count of the typed arrays it holds, so the memory budget can be asserted
 * (and compared with `process.memoryUsage().arrayBuffers` in Node). Every buffer whose size
 * grows with the picture is allocated here; small fixed tables are not worth counting.
 */
export class Ledger {
  private held = 0;
  private top = 0;

  /** A zeroed byte buffer, counted until `release`d. */
  bytes(length: number): Uint8Array {
    this.take(length);
    return new Uint8Array(length);
  }

  /** Counts a buffer made elsewhere (the file being processed, a decoder's output). */
  take(bytes: number): void {
    this.held += bytes;
    if (this.held > this.top) this.top = this.held;
  }

  release(buffer: ArrayBufferView | number | undefined | null): void {
    if (buffer == null) return;
    this.held -= typeof buffer === "number" ? buffer : buffer.byteLength;
  }

  /** Bytes held now. */
  get current(): number {
    return this.held;
  }

  /** The most bytes held at once. */
  get peak(): number {
    return this.top;
  }
}
