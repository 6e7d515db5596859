/**
 * Where a request's time goes, for `Server-Timing` and `/health`. The answer streams: its
 * headers leave once the mask is ready, before the picture is composed and encoded, so the
 * header carries the phases known by then (cache, fetch, queue, decode, infer, mask) and the
 * last answer's full split, compose and encode included, is kept for `/health`.
 *
 * Workers advance the clock only across I/O (a Spectre mitigation), so on Cloudflare phases
 * that are pure CPU (decode, mask, compose, encode) read as 0 and their time shows in the
 * next phase that waits on I/O; `wrangler dev`, the tests and the bench have a running clock.
 */

/** The phases in the order they happen. */
export type Phase = "cache" | "fetch" | "queue" | "decode" | "infer" | "mask" | "compose" | "encode";

/** Something a pipeline stage can report its phase ends to. */
export interface Laps {
  /** The time since the last lap (or the start) was spent on `phase`. */
  lap(phase: Phase): void;
}

export class Stopwatch implements Laps {
  private last = performance.now();
  readonly spent = new Map<Phase, number>();
  private readonly started = this.last;

  lap(phase: Phase): void {
    const now = performance.now();
    this.add(phase, now - this.last);
    this.last = now;
  }

  add(phase: Phase, ms: number): void {
    this.spent.set(phase, (this.spent.get(phase) ?? 0) + ms);
  }

  /** Milliseconds since the stopwatch started. */
  total(): number {
    return performance.now() - this.started;
  }

  /** `fetch;dur=12.3, infer;dur=804.1` (plus a description, e.g. `cache;desc="hit"`). */
  header(descriptions: Partial<Record<Phase, string>> = {}): string {
    return [...this.spent]
      .map(([phase, ms]) => `${phase};${descriptions[phase] ? `desc="${descriptions[phase]}";` : ""}dur=${ms.toFixed(1)}`)
      .join(", ");
  }

  /**
   * `encoded` with the time spent inside it counted: `compose` for the picture's rows (timed
   * by `timedBands`), `encode` for the rest.
   */
  async *timedChunks(encoded: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const chunks = encoded[Symbol.asyncIterator]();
    try {
      for (;;) {
        const composeBefore = this.spent.get("compose") ?? 0;
        const start = performance.now();
        const next = await chunks.next();
        this.add("encode", performance.now() - start - ((this.spent.get("compose") ?? 0) - composeBefore));
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await chunks.return?.(undefined);
    }
  }

  /** A picture's bands with the time to make each counted as `compose`. */
  *timedBands(bands: Iterable<Uint8Array>): Generator<Uint8Array> {
    const rows = bands[Symbol.iterator]();
    try {
      for (;;) {
        const start = performance.now();
        const next = rows.next();
        this.add("compose", performance.now() - start);
        if (next.done) return;
        yield next.value;
      }
    } finally {
      rows.return?.(undefined);
    }
  }
}

/** The last finished answer's phases (ms), for `/health`. */
let lastAnswer: { effect: string; phases: Record<string, number>; totalMs: number } | null = null;

export function noteTimings(effect: string, stopwatch: Stopwatch): void {
  const phases = Object.fromEntries([...stopwatch.spent].map(([phase, ms]) => [phase, Math.round(ms * 10) / 10]));
  lastAnswer = { effect, phases, totalMs: Math.round(stopwatch.total() * 10) / 10 };
}

export const lastTimings = () => lastAnswer;
