/**
 * The GPU inference server's settings, from wrangler.toml [vars] and secrets. No URL means no
 * GPU: every request runs on the edge model, as before this backend existed.
 */
import { REMOTE_MODEL, REMOTE_MODELS, type ModelSpec } from "../../../core/models";

export type WireDatatype = "FP32" | "FP16";

export interface GpuConfig {
  /** Base URL of the v2 server, without `/v2` (a path prefix is kept). */
  url: string;
  /** The model as the server knows it, its tensor names and pre-processing. */
  spec: ModelSpec;
  /** Sent as `Authorization: Bearer …` when set (a secret: `wrangler secret put GPU_TOKEN`). */
  token?: string;
  /** Input tensor datatype on the wire; the server's model must declare the same. */
  datatype: WireDatatype;
  /** Whole budget for one inference, retries included. */
  timeoutMs: number;
  /** Extra attempts after a connection failure or a 502/503/504. */
  retries: number;
  /** `model=auto` sends images with more pixels than this to the server. */
  autoPixels: number;
  /** Consecutive failures that open the circuit breaker, and how long it stays open. */
  breakerFailures: number;
  breakerCooldownMs: number;
}

type Vars = Partial<Record<string, unknown>>;

const text = (env: Vars, key: string) => {
  const value = env[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

const count = (env: Vars, key: string, fallback: number, min = 1) => {
  const n = Number(text(env, key));
  return Number.isInteger(n) && n >= min ? n : fallback;
};

/**
 * Reads the GPU backend's settings; null when `GPU_SERVER_URL` is unset (no GPU).
 * @example backendConfigFrom({ GPU_SERVER_URL: "https://triton.example.com", GPU_MODEL: "u2net" })
 */
export function backendConfigFrom(env: Vars): GpuConfig | null {
  const url = text(env, "GPU_SERVER_URL");
  if (!url) return null;
  if (!/^https?:\/\//.test(url)) throw new Error(`GPU_SERVER_URL must be an http(s) URL, got ${url}`);
  const base = REMOTE_MODELS[REMOTE_MODEL];
  // Triton serves the model under its directory name; tensor names may differ by export.
  const spec: ModelSpec = {
    ...base,
    id: text(env, "GPU_MODEL") ?? base.id,
    inputName: text(env, "GPU_INPUT_NAME") ?? base.inputName,
    outputName: text(env, "GPU_OUTPUT_NAME") ?? base.outputName,
  };
  return {
    url: url.replace(/\/+$/, ""),
    spec,
    token: text(env, "GPU_TOKEN"),
    datatype: text(env, "GPU_INPUT_DATATYPE") === "FP16" ? "FP16" : "FP32",
    timeoutMs: count(env, "GPU_TIMEOUT_MS", 8000),
    retries: count(env, "GPU_RETRIES", 1, 0),
    autoPixels: count(env, "GPU_AUTO_PIXELS", 2_097_152),
    breakerFailures: count(env, "GPU_BREAKER_FAILURES", 3),
    breakerCooldownMs: count(env, "GPU_BREAKER_COOLDOWN_MS", 30_000),
  };
}
