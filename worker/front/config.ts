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
  /** Time allowed for each hop's response headers (a server that accepts but never answers). */
  fetchHopTimeoutMs: number;
  /** Requests allowed to wait for the pipeline before new ones get 503 busy. */
  maxQueue: number;
  /** Operator allow-list for url=/bg_url= hosts (`SOURCE_HOSTS`); null = any public host. */
  sourceHosts: string[] | null;
}

/** Abuse control and caching: all optional, all off or permissive by default. */
export interface Policy {
  /** HMAC key (`SIGNING_KEY`, a secret): when set, every API request needs a valid `sig=`. */
  signingKey: string | null;
  /** Sites allowed to embed (`ALLOWED_REFERERS`); null = any. */
  allowedReferers: string[] | null;
  /** Seconds results stay fresh in caches and browsers (`CACHE_TTL`); 0 turns caching off. */
  cacheTtl: number;
  /** Seconds fetched source files are kept (`SOURCE_CACHE_TTL`); 0 turns it off. */
  sourceCacheTtl: number;
}

type Vars = Partial<Record<string, unknown>>;

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};

const nonNegative = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
};

/** A comma-separated list of host patterns (`example.com`, `*.example.com`); empty = null. */
const hostList = (value: string | undefined) => {
  const hosts = (value ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  return hosts.length ? hosts : null;
};

const reader = (env: Vars) => (k: string) => (typeof env[k] === "string" ? (env[k] as string) : undefined);

export function limitsFrom(env: Vars): Limits {
  const get = reader(env);
  return {
    maxBytes: positive(get("MAX_UPLOAD_BYTES"), 25 * 1024 * 1024),
    maxPixels: positive(get("MAX_PIXELS"), 50_331_648),
    maxSide: positive(get("MAX_SIDE"), 12_000),
    fetchTimeoutMs: positive(get("FETCH_TIMEOUT_MS"), 10_000),
    fetchHopTimeoutMs: positive(get("FETCH_HOP_TIMEOUT_MS"), 5_000),
    maxQueue: positive(get("MAX_QUEUE"), 4),
    sourceHosts: hostList(get("SOURCE_HOSTS")),
  };
}

export function policyFrom(env: Vars): Policy {
  const get = reader(env);
  return {
    signingKey: get("SIGNING_KEY") || null,
    allowedReferers: hostList(get("ALLOWED_REFERERS")),
    cacheTtl: nonNegative(get("CACHE_TTL"), 86_400),
    sourceCacheTtl: nonNegative(get("SOURCE_CACHE_TTL"), 3_600),
  };
}

/** True when `host` is `pattern`, or a subdomain of it when the pattern is `*.domain`. */
export function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (pattern.startsWith("*.")) return h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1;
  return h === pattern;
}
