/**
 * The GPU backend, with the segmenter worker served over HTTP on 127.0.0.1 standing in for
 * Triton (model `u2netp`) behind a fault-injecting proxy (test/remote). The front worker is
 * called with the GPU configured per test (`https://gpu.test/<mode>`, see fault-proxy.ts), so
 * the other test files keep running without a GPU.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../worker/front/index";
import { inferOnGpu } from "../../worker/front/backends/gpu";
import { backendConfigFrom } from "../../worker/front/backends/config";
import { toModelInput } from "../../core/preprocess";
import { infer, inferRequestFor } from "../../worker/front/pipeline/segmenter-client";
import { DEFAULT_MODEL, MODELS } from "../../core/models";
import { HEADER_LENGTH } from "../../core/oip";
import { ORIGIN, compareMasks, decode, errorCode, fixture, mismatches } from "../helpers";
import { readTritonBody } from "../remote/triton-wire";

const GPU = "https://gpu.test";
const SMALL = "images/chelsea.png"; // 451×300
const LARGE = "images/juliatrotti_17.jpg"; // 2500×1667 = 4.17 MP: over GPU_AUTO_PIXELS, under the edge cap
const TIMEOUT_MS = 1500;

/** The GPU settings of a test: the stand-in serves the edge's models; the default one is the remote model. */
function gpuVars(mode: string, extra: Record<string, string> = {}): Record<string, string> {
  // The stand-in runs the model on a shared CPU (seconds): a short deadline only where it never runs.
  const timeout = /^(down|slow|error|garbage)/.test(mode) ? TIMEOUT_MS : 60_000;
  return { GPU_SERVER_URL: `${GPU}/${mode}`, GPU_MODEL: DEFAULT_MODEL, GPU_TIMEOUT_MS: String(timeout), GPU_RETRIES: "0", ...extra };
}

/** Calls the front worker with extra vars, as if wrangler.toml set them. */
function call(path: string, vars: Record<string, string> = {}): Promise<Response> {
  // A generous url= deadline (the origin makes the large photos on demand), and no result
  // cache: these tests ask the same URL of different servers.
  const settings = { FETCH_TIMEOUT_MS: "20000", CACHE_TTL: "0", ...vars };
  return Promise.resolve(app.fetch(new Request(`http://edge.test${path}`), { ...env, ...settings }, createExecutionContext()));
}

async function maskOf(response: Response): Promise<Uint8Array> {
  expect(response.status, await response.clone().text().catch(() => "")).toBe(200);
  const image = decode(new Uint8Array(await response.arrayBuffer()));
  return image.rgba.filter((_, i) => i % 4 === 0);
}

async function proxyHits(): Promise<Record<string, number>> {
  return (await fetch(`${GPU}/__hits`)).json();
}

const edgeMasks = new Map<string, Uint8Array>();
async function edgeMask(path: string): Promise<Uint8Array> {
  if (!edgeMasks.has(path)) edgeMasks.set(path, await maskOf(await call(`/mask?model=u2netp&url=${ORIGIN}/${path}`)));
  return edgeMasks.get(path)!;
}

describe("the GPU path gives the edge path's masks", { timeout: 60_000 }, () => {
  for (const photo of [SMALL, "images/two_dancers.jpg", "images/rocket.jpg"]) {
    it(`${photo}: model=u2net through the server equals model=u2netp on the edge`, async () => {
      const response = await call(`/mask?model=u2net&url=${ORIGIN}/${photo}`, gpuVars("ok"));
      expect(response.headers.get("x-backend")).toBe("gpu");
      expect(response.headers.get("x-model")).toBe(DEFAULT_MODEL);
      expect(response.headers.get("x-fallback")).toBeNull();
      expect(mismatches(await maskOf(response), await edgeMask(photo))).toBe(0);
    });
  }

  it("FP16 input: half the bytes, masks within MAE 0.001 and IoU 0.999 of FP32", async () => {
    // The fp32 model on both sides: the int8 edge model would turn FP16's rounding into whole u8 steps.
    const fp32 = { GPU_MODEL: "u2netp" };
    for (const photo of [SMALL, "images/two_dancers.jpg", "images/rocket.jpg"]) {
      const response = await call(`/mask?model=u2net&url=${ORIGIN}/${photo}`, gpuVars("ok-fp16", { GPU_INPUT_DATATYPE: "FP16", ...fp32 }));
      expect(response.headers.get("x-backend")).toBe("gpu");
      const asFp16 = await maskOf(response); // read before the next call: an unread answer times out
      const asFp32 = await maskOf(await call(`/mask?model=u2net&url=${ORIGIN}/${photo}`, gpuVars("ok-fp32", fp32)));
      const { mae, iou } = compareMasks(asFp16, asFp32);
      console.log(`FP16 input vs FP32, ${photo}: MAE ${mae.toFixed(5)}, IoU ${iou.toFixed(5)}`);
      expect(mae).toBeLessThanOrEqual(0.001);
      expect(iou).toBeGreaterThanOrEqual(0.999);
    }
  });
});

describe("routing with model=auto", { timeout: 60_000 }, () => {
  it("sends a small photo to the edge and a large one (4.2 MP) to the server", async () => {
    const before = (await proxyHits())["ok-auto"] ?? 0;
    const small = await call(`/mask?url=${ORIGIN}/${SMALL}`, gpuVars("ok-auto"));
    expect(small.status).toBe(200);
    expect(small.headers.get("x-backend")).toBe("edge");
    await small.arrayBuffer();
    expect((await proxyHits())["ok-auto"] ?? 0).toBe(before);
    const large = await call(`/mask?url=${ORIGIN}/${LARGE}`, gpuVars("ok-auto"));
    expect(large.headers.get("x-backend")).toBe("gpu");
    expect(mismatches(await maskOf(large), await edgeMask(LARGE))).toBe(0);
    expect((await proxyHits())["ok-auto"]).toBe(before + 1);
  });

  it("quality=high sends a small photo to the server; without a GPU the edge answers", async () => {
    const high = await call(`/remove?quality=high&url=${ORIGIN}/${SMALL}`, gpuVars("ok"));
    expect(high.status).toBe(200);
    expect(high.headers.get("x-backend")).toBe("gpu");
    const none = await call(`/remove?quality=high&url=${ORIGIN}/${SMALL}`);
    expect(none.headers.get("x-backend")).toBe("edge");
    expect(none.headers.get("x-fallback")).toBeNull();
  });

  it("model=u2netp stays on the edge even for a large photo", async () => {
    const response = await call(`/mask?model=u2netp&url=${ORIGIN}/${LARGE}`, gpuVars("ok"));
    expect(response.headers.get("x-backend")).toBe("edge");
    await response.arrayBuffer();
  });

  it("model=u2net without a GPU: the edge answers, marked; strict=1 → 503 backend_unavailable", async () => {
    const response = await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`);
    expect(response.headers.get("x-backend")).toBe("edge");
    expect(response.headers.get("x-fallback")).toBe("not_configured");
    expect(mismatches(await maskOf(response), await edgeMask(SMALL))).toBe(0);
    const strict = await call(`/mask?model=u2net&strict=1&url=${ORIGIN}/${SMALL}`);
    expect(strict.status).toBe(503);
    expect(await errorCode(strict)).toBe("backend_unavailable");
  });
});

describe("images over the edge's pixel cap (MAX_PIXELS, set to 4 MP here)", { timeout: 60_000 }, () => {
  const OVER_EDGE = `${ORIGIN}/generated/2560x2048.jpg`; // 5.2 MP
  const CAP = { MAX_PIXELS: String(2048 * 2048) };

  it("are refused before decoding, with or without a GPU (one MAX_PIXELS for both paths)", async () => {
    for (const vars of [CAP, gpuVars("ok", CAP)]) {
      const response = await call(`/mask?url=${OVER_EDGE}`, vars);
      expect(response.status).toBe(413);
      expect(await errorCode(response)).toBe("image_too_large");
    }
  });

  it("one pixel over MAX_PIXELS is refused before decoding, on either backend", async () => {
    const response = await call(`/mask?url=${ORIGIN}/generated/2049x2048.jpg`, gpuVars("ok", CAP));
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe("image_too_large");
  });
});

describe("large photos on the GPU path", { timeout: 120_000 }, () => {
  it("5 MP is served by the server, full size; blurred backgrounds too (their blur runs on a 1 MP preview)", async () => {
    const url = `${ORIGIN}/generated/2560x2048.jpg`;
    const served = await call(`/mask?url=${url}`, gpuVars("ok"));
    expect(served.headers.get("x-backend")).toBe("gpu");
    expect((await maskOf(served)).length).toBe(2560 * 2048);
    for (const path of ["/remove?bg=blur", "/highlight?style=blur"]) {
      const response = await call(`${path}&url=${url}`, gpuVars("ok"));
      expect(response.status, path).toBe(200);
      expect(decode(new Uint8Array(await response.arrayBuffer())).width).toBe(2560);
    }
  });
});

describe("faults: the edge answers instead, within the timeout, marked", { timeout: 60_000 }, () => {
  const cases: [mode: string, reason: string][] = [
    // A dead server reaches a Worker as a gateway error (Cloudflare's 52x; the test origin's 502).
    ["down", "http_error"],
    ["slow", "timeout"],
    ["error", "http_error"],
    ["garbage", "malformed"],
    ["shape", "wrong_shape"],
  ];
  for (const [mode, reason] of cases) {
    it(`${mode} → X-Fallback: ${reason}`, async () => {
      const expected = await edgeMask(SMALL);
      const edgeStart = Date.now();
      const edge = await call(`/mask?model=u2netp&url=${ORIGIN}/${SMALL}`);
      expect(edge.status).toBe(200);
      await edge.arrayBuffer();
      const edgeMs = Date.now() - edgeStart;
      const start = Date.now();
      const response = await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`, gpuVars(mode));
      const elapsed = Date.now() - start;
      expect(response.headers.get("x-backend")).toBe("edge");
      expect(response.headers.get("x-model")).toBe(DEFAULT_MODEL);
      expect(response.headers.get("x-fallback")).toBe(reason);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(mismatches(await maskOf(response), expected)).toBe(0);
      console.log(`${mode}: fallback answered in ${elapsed} ms (edge alone ${edgeMs} ms, timeout ${TIMEOUT_MS} ms)`);
      if (mode !== "shape") expect(elapsed).toBeLessThan(TIMEOUT_MS + edgeMs + 1000);
      if (mode === "slow") expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    });

    it(`${mode} with strict=1 → 503 backend_unavailable`, async () => {
      const response = await call(`/mask?model=u2net&strict=1&url=${ORIGIN}/${SMALL}`, gpuVars(`${mode}-strict`));
      expect(response.status).toBe(503);
      expect(await errorCode(response)).toBe("backend_unavailable");
    });
  }

  it("retries a 503 once (GPU_RETRIES=1) and a dropped connection once, never a 500", async () => {
    const flaky = await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`, gpuVars("flaky", { GPU_RETRIES: "1" }));
    expect(flaky.headers.get("x-backend")).toBe("gpu");
    await flaky.arrayBuffer();
    await (await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`, gpuVars("down-retry", { GPU_RETRIES: "1" }))).arrayBuffer();
    await (await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`, gpuVars("error-retry", { GPU_RETRIES: "1" }))).arrayBuffer();
    const hits = await proxyHits();
    expect([hits["flaky"], hits["down-retry"], hits["error-retry"]]).toEqual([2, 2, 1]);
  });
});

describe("circuit breaker", { timeout: 60_000 }, () => {
  it("opens after N failures (requests go straight to the edge), probes after the cool-down, closes on success", async () => {
    // `flaky-breaker` fails its first request only: one failure opens a breaker of 1.
    const vars = gpuVars("flaky-breaker", { GPU_BREAKER_FAILURES: "1", GPU_BREAKER_COOLDOWN_MS: "4000" });
    const path = `/mask?model=u2net&url=${ORIGIN}/${SMALL}`;
    const first = await call(path, vars);
    expect(first.headers.get("x-fallback")).toBe("http_error");
    await first.arrayBuffer();
    const health = (await (await call("/health", vars)).json()) as { models: { backend: string; breaker: string }[] };
    expect(health.models.find((m) => m.backend === "gpu")?.breaker).toBe("open");
    const second = await call(path, vars);
    expect(second.headers.get("x-fallback")).toBe("circuit_open");
    await second.arrayBuffer();
    expect((await proxyHits())["flaky-breaker"]).toBe(1); // the open breaker did not call
    await new Promise((r) => setTimeout(r, 4000));
    const probe = await call(path, vars);
    expect(probe.headers.get("x-backend")).toBe("gpu");
    await probe.arrayBuffer();
    expect((await proxyHits())["flaky-breaker"]).toBe(2);
    const after = (await (await call("/health", vars)).json()) as { models: { backend: string; breaker: string }[] };
    expect(after.models.find((m) => m.backend === "gpu")?.breaker).toBe("closed");
  });
});

describe("concurrency", { timeout: 60_000 }, () => {
  it("answers arriving out of order never mix tensors", async () => {
    const photos = ["images/chelsea.png", "images/rocket.jpg", "images/two_dancers.jpg", "images/coffee.png", "images/images-1.jpeg", "images/download.jpeg"];
    const spec = MODELS[DEFAULT_MODEL]; // what the stand-in serves (gpuVars)
    const inputs = await Promise.all(
      photos.map(async (photo) => {
        const { width, height, rgba } = decode(await fixture(photo));
        return toModelInput({ width, height, pixels: rgba }, spec);
      }),
    );
    const edge = { server: env.SEGMENTER, baseUrl: "http://segmenter", spec, datatype: "FP32" as const };
    const expected: Float32Array[] = [];
    for (const input of inputs) expected.push(await infer(edge, input));
    const gpu = backendConfigFrom(gpuVars("jitter"))!;
    // Twice each, all at once; the proxy delays each answer by a random 0–400 ms.
    const results = await Promise.all([...inputs, ...inputs].map((input) => inferOnGpu(gpu, input)));
    results.forEach((result, i) => expect(mismatches(new Uint8Array(result.buffer), new Uint8Array(expected[i % inputs.length].buffer)), photos[i % inputs.length]).toBe(0));
  });
});

describe("the wire, read as Triton reads it", { timeout: 60_000 }, () => {
  async function lastRequest(mode: string) {
    const response = await fetch(`${GPU}/__last/${mode}`);
    return { headers: JSON.parse(response.headers.get("x-request-headers")!) as Record<string, string>, body: new Uint8Array(await response.arrayBuffer()) };
  }

  for (const datatype of ["FP32", "FP16"] as const) {
    it(`the client's ${datatype} request: header length, binary size, shape, datatype, token`, async () => {
      const mode = `ok-wire-${datatype}`;
      const response = await call(`/mask?model=u2net&url=${ORIGIN}/${SMALL}`, gpuVars(mode, { GPU_INPUT_DATATYPE: datatype, GPU_TOKEN: "s3cret" }));
      expect(response.headers.get("x-backend")).toBe("gpu");
      await response.arrayBuffer();
      const { headers, body } = await lastRequest(mode);
      expect(headers["authorization"]).toBe("Bearer s3cret");
      expect(headers["content-type"]).toBe("application/octet-stream");
      const read = readTritonBody(body, headers[HEADER_LENGTH.toLowerCase()], "inputs");
      expect(read.tensors.map(({ name, datatype, shape }) => ({ name, datatype, shape }))).toEqual([{ name: "input.1", datatype, shape: [1, 3, 320, 320] }]);
      expect(read.json.outputs).toEqual([{ name: "1959", parameters: { binary_data: true } }]);
      expect(typeof read.json.id).toBe("string");
      console.log(`wire: ${datatype} request ${body.byteLength} B (JSON header ${read.headerLength} B + tensor ${read.tensors[0].bytes.byteLength} B)`);
    });
  }

  it("the server's answer: one FP32 [1,1,320,320] tensor, binary, with the request's id", async () => {
    const spec = MODELS.u2netp;
    const input = toModelInput({ width: 2, height: 2, pixels: new Uint8Array(16).fill(200) }, spec);
    const { body, headerLength } = inferRequestFor({ spec, datatype: "FP32" }, input, "answer-check");
    const response = await fetch(`${GPU}/ok-answer/v2/models/u2netp/infer`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", [HEADER_LENGTH]: String(headerLength) },
      body,
    });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const read = readTritonBody(bytes, response.headers.get(HEADER_LENGTH), "outputs");
    expect(read.json.model_name).toBe("u2netp");
    expect(read.json.id).toBe("answer-check");
    expect(read.tensors.map(({ name, datatype, shape }) => ({ name, datatype, shape }))).toEqual([{ name: "1959", datatype: "FP32", shape: [1, 1, 320, 320] }]);
    console.log(`wire: answer ${bytes.byteLength} B (JSON header ${read.headerLength} B + mask ${read.tensors[0].bytes.byteLength} B)`);
  });

  it("the stand-in answers the v2 health and metadata routes", async () => {
    expect((await fetch(`${GPU}/ok-meta/v2/health/ready`)).status).toBe(200);
    const metadata = (await (await fetch(`${GPU}/ok-meta/v2/models/u2netp`)).json()) as { inputs: { name: string }[] };
    expect(metadata.inputs[0].name).toBe("input.1");
  });
});

describe("/health", { timeout: 60_000 }, () => {
  it("lists the GPU model next to the edge one", async () => {
    type Listed = { models: { id: string; backend: string; configured?: boolean; breaker?: string }[] };
    const without = (await (await call("/health")).json()) as Listed;
    expect(without.models.filter((m) => m.backend === "edge").map((m) => m.id)).toContain("u2netp");
    const gpuWithout = without.models.filter((m) => m.backend === "gpu");
    expect(gpuWithout).toHaveLength(1);
    expect(gpuWithout[0].configured).toBe(false);
    const withGpu = (await (await call("/health", gpuVars("ok-health"))).json()) as Listed;
    expect(withGpu.models.find((m) => m.backend === "gpu")).toMatchObject({ id: DEFAULT_MODEL, backend: "gpu", configured: true, breaker: "closed" });
  });
});
