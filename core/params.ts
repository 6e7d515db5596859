/**
 * Query parameters, read and checked in one place. Every bad value is a 400
 * `invalid_parameter` whose message names the parameter and what it accepts. Parameters come
 * from the query string for GET and POST alike.
 */
import { ApiError } from "./errors";

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** A length given in pixels (`12`, `12px`) or as a percentage (`5%`). */
export type Length = { px: number } | { percent: number };

export class QueryParams {
  constructor(private readonly query: URLSearchParams) {}

  static from(url: string): QueryParams {
    return new QueryParams(new URL(url).searchParams);
  }

  /** The raw value, or undefined when absent or empty. */
  raw(name: string): string | undefined {
    const value = this.query.get(name);
    return value === null || value === "" ? undefined : value;
  }

  private invalid(name: string, value: string, expected: string): never {
    throw new ApiError("invalid_parameter", `${name}=${JSON.stringify(value).slice(0, 60)}: expected ${expected}`);
  }

  number(name: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    const kind = range.integer ? "an integer" : "a number";
    if (!Number.isFinite(n) || (range.integer && !Number.isInteger(n)) || n < range.min || n > range.max) {
      this.invalid(name, value, `${kind} from ${range.min} to ${range.max}`);
    }
    return n;
  }

  flag(name: string): boolean {
    const value = this.raw(name);
    if (value === undefined) return false;
    if (TRUE.has(value.toLowerCase())) return true;
    if (FALSE.has(value.toLowerCase())) return false;
    return this.invalid(name, value, "1 or 0");
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value.toLowerCase())) this.invalid(name, value, `one of ${values.join(", ")}`);
    return value.toLowerCase() as T;
  }

  length(name: string, maxPx: number): Length | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const match = /^(\d+(?:\.\d+)?)(px|%)?$/.exec(value.trim());
    if (!match) return this.invalid(name, value, "pixels (12 or 12px) or a percentage (5%)");
    const n = Number(match[1]);
    if (match[2] === "%") return n <= 100 ? { percent: n } : this.invalid(name, value, "a percentage up to 100%");
    return n <= maxPx ? { px: Math.round(n) } : this.invalid(name, value, `at most ${maxPx} px`);
  }
}
