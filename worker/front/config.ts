/**
 * Limits and settings, from wrangler.toml [vars] with safe defaults. Numbers come from the
 * memory measurements in the README: change them only with a new measurement.
 */
export interface Limits {
  /** Largest file accepted, uploaded or fetched. */
  maxBytes: number;
  /** Largest decoded image the edge handles (width × height). */
  maxPixels: number;
  /** Longest side accepted, whatever the pixel count. */
  maxSide: number;
  /** Total time allowed for fetching url=, redirects included. */
  fetchTimeoutMs: number;
  /** Requests allowed to wait for the pipeline before new ones get 503 busy. */
  maxQueue: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
};

export function limitsFrom(env: Partial<Record<string, unknown>>): Limits {
  const get = (k: string) => (typeof env[k] === "string" ? (env[k] as string) : undefined);
  return {
    maxBytes: positive(get("MAX_UPLOAD_BYTES"), 12 * 1024 * 1024),
    maxPixels: positive(get("MAX_PIXELS"), 4_194_304),
    maxSide: positive(get("MAX_SIDE"), 8192),
    fetchTimeoutMs: positive(get("FETCH_TIMEOUT_MS"), 10_000),
    maxQueue: positive(get("MAX_QUEUE"), 4),
  };
}
