/**
 * The GPU backend: a v2 server (Triton, KServe, MLServer) reached over HTTPS. Unlike the
 * service binding, this is a network hop to a machine that can be down or slow, so each call
 * has a deadline covering every attempt, retries what a retry can fix (connection failures,
 * gateway errors), carries the token, and goes through the circuit breaker.
 */
import { InferenceFailure, infer, type InferenceServer, type InferenceTarget } from "../pipeline/segmenter-client";
import { breakerFor, type CircuitBreaker } from "./circuit-breaker";
import type { GpuConfig } from "./config";

/** Gateway answers, including Cloudflare's 520–524 for an origin that is down or slow. */
const RETRY_STATUSES = new Set([502, 503, 504, 520, 521, 522, 523, 524]);
const RETRY_DELAY_MS = 100;

const globalFetch: InferenceServer = { fetch: (input, init) => fetch(input, init) };

export function gpuBreaker(config: GpuConfig): CircuitBreaker {
  return breakerFor(`${config.url} ${config.spec.id}`, { failures: config.breakerFailures, cooldownMs: config.breakerCooldownMs });
}

function targetFor(config: GpuConfig, server: InferenceServer): InferenceTarget {
  return {
    server,
    baseUrl: config.url,
    spec: config.spec,
    datatype: config.datatype,
    headers: config.token ? { authorization: `Bearer ${config.token}` } : undefined,
  };
}

const retryable = (error: unknown) =>
  error instanceof InferenceFailure && (error.reason === "unreachable" || (error.reason === "http_error" && RETRY_STATUSES.has(error.status ?? 0)));

/** Attempts until one answers, the error is not worth repeating, or retries run out. */
async function attempts(target: InferenceTarget, input: Float32Array, retries: number, signal: AbortSignal): Promise<Float32Array> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await infer(target, input, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (attempt >= retries || !retryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** attempt));
    }
  }
}

/**
 * Runs the GPU server's model on one input, within `config.timeoutMs` in all.
 * @throws InferenceFailure: circuit_open (without calling), timeout, unreachable, http_error,
 *   malformed or wrong_shape.
 */
export async function inferOnGpu(config: GpuConfig, input: Float32Array, server: InferenceServer = globalFetch): Promise<Float32Array> {
  const breaker = gpuBreaker(config);
  if (!breaker.tryAcquire()) throw new InferenceFailure("circuit_open", `the GPU server failed ${config.breakerFailures} times in a row; resting`);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  // The race is the deadline even where an aborted fetch or body read is slow to notice.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const failure = new InferenceFailure("timeout", `no answer from the GPU server within ${config.timeoutMs} ms`);
      controller.abort(failure);
      reject(failure);
    }, config.timeoutMs);
  });
  try {
    const mask = await Promise.race([attempts(targetFor(config, server), input, config.retries, controller.signal), deadline]);
    breaker.succeeded();
    return mask;
  } catch (error) {
    breaker.failed();
    throw error;
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
