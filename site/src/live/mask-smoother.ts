/**
 * Smooths masks over time so a live cutout does not flicker: an exponential moving average,
 * per pixel, of the model-side masks, in buffers kept from frame to frame.
 */
export class MaskSmoother {
  private average = new Float32Array(0);
  private output = new Uint8Array(0);

  /** `weight`: share of the newest mask (1 = the newest mask alone). */
  constructor(private readonly weight: number) {}

  /** Forgets the past (a new mode or camera): the next mask starts the average. */
  reset(): void {
    this.average = new Float32Array(0);
  }

  /** The running average with `mask` folded in; the returned array is reused by the next call. */
  next(mask: Uint8Array): Uint8Array {
    if (this.weight >= 1) return mask;
    if (this.average.length !== mask.length) {
      this.average = Float32Array.from(mask);
      this.output = new Uint8Array(mask.length);
    }
    const { average, output, weight } = this;
    for (let i = 0; i < mask.length; i++) {
      const v = average[i] + weight * (mask[i] - average[i]);
      average[i] = v;
      output[i] = v + 0.5; // rounds; Uint8Array stores the integer part
    }
    return output;
  }
}
