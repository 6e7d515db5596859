/** Frames per second over a sliding window of the last few frames. */
export class FpsMeter {
  private readonly times: number[] = [];
  frames = 0;

  constructor(private readonly window = 10) {}

  /** Records one finished frame; returns the current rate. */
  tick(now = performance.now()): number {
    this.frames++;
    this.times.push(now);
    if (this.times.length > this.window) this.times.shift();
    return this.rate();
  }

  rate(): number {
    if (this.times.length < 2) return 0;
    return ((this.times.length - 1) * 1000) / (this.times[this.times.length - 1] - this.times[0]);
  }
}
