/**
 * A circuit breaker per backend, so a dead GPU server costs one timeout per cool-down instead
 * of one per request. State lives in the isolate (module scope): each isolate learns on its
 * own, which is enough to stop hammering and needs no storage.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long it stays open before one probe is let through. */
  cooldownMs: number;
}

export class CircuitBreaker {
  #failures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(
    readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.#failures < this.options.failures) return "closed";
    return this.now() - this.#openedAt >= this.options.cooldownMs ? "half-open" : "open";
  }

  /**
   * Whether a call may go through now. Half-open lets exactly one probe through; the others
   * keep failing fast until it reports.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#probing = false;
  }

  failed(): void {
    this.#probing = false;
    this.#failures++;
    // Opening (or re-opening after a failed probe) starts a new cool-down.
    if (this.#failures >= this.options.failures) this.#openedAt = this.now();
  }
}

const breakers = new Map<string, CircuitBreaker>();

/** The isolate's breaker for one backend (server URL and model), made on first use. */
export function breakerFor(key: string, options: BreakerOptions): CircuitBreaker {
  let breaker = breakers.get(key);
  if (!breaker || breaker.options.failures !== options.failures || breaker.options.cooldownMs !== options.cooldownMs) {
    breaker = new CircuitBreaker(options);
    breakers.set(key, breaker);
  }
  return breaker;
}
