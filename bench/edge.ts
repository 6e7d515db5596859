/**
 * The product's own figures, measured in workerd (`wrangler dev`) from outside: workerd
 * freezes timers while JavaScript or WASM computes, so in-worker timing would read 0.
 */
import { readFileSync } from "node:fs";
import type { ModelSpec } from "../core/models";
import { HEADER_LENGTH, decodeInferResponse, encodeInferRequest } from "../core/oip";
import { toModelInput } from "../core/preprocess";
import { resizeMask, toMask8 } from "../core/mask";
import { fetchOnce, startDev } from "./workerd";
import { timed } from "./stats";
import { IMAGES, compareMasks, photo, referenceMask, summarise } from "./masks";
import { compare, floatOutputs, maskAt, splitSummary } from "./quant-metrics";

const SEGMENTER = ["worker/segmenter/wrangler.toml"];
/** The stock fp32 model in onnxruntime-web with default options, in workerd (bench/workerd-peer). */
export const WORKERD_PEER = ["bench/workerd-peer/wrangler.toml"];
const BOTH = ["wrangler.toml", "worker/segmenter/wrangler.toml"];

/** Model ids the segmenter serves (the GPU rows of the model table are not its own). */
export async function segmenterModels(models: ModelSpec[]): Promise<ModelSpec[]> {
  const dev = await startDev(SEGMENTER, "/v2/health/live");
  try {
    const served: ModelSpec[] = [];
    for (const spec of models) {
      const response = await fetch(`${dev.url}/v2/models/${spec.id}`);
      await response.arrayBuffer();
      if (response.ok) served.push(spec);
    }
    return served;
  } finally {
    await dev.stop();
  }
}

/**
 * One model in a fresh segmenter isolate: the first request (isolate + session + one run),
 * `runs` warm inferences, the accuracy of the model's mask on `photos` against the references
 * (the front worker's own post-processing) and against the float model's masks (per-photo
 * minimum IoU and mean MAE, held-out split and all photos: bench/quant-data.ts), and the WASM
 * memory the isolate holds afterwards.
 */
export async function benchSegmenter(spec: ModelSpec, runs: number, photos: string[], worker = SEGMENTER) {
  const dev = await startDev(worker, "/v2/health/live");
  try {
    const infer = async (rgba: ReturnType<typeof photo>["rgba"]) => {
      const { body, headerLength } = encodeInferRequest({
        inputs: [{ name: spec.inputName, datatype: "FP32", shape: [1, 3, spec.size, spec.size], data: new Uint8Array(toModelInput(rgba, spec).buffer) }],
        outputs: [{ name: spec.outputName, binary: true }],
      });
      const response = await fetchOnce(`${dev.url}/v2/models/${spec.id}/infer`, { method: "POST", body, headers: { [HEADER_LENGTH]: String(headerLength) } });
      if (!response.ok) throw new Error(`infer ${spec.id}: HTTP ${response.status} ${await response.text()}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const decoded = decodeInferResponse(bytes, Number(response.headers.get(HEADER_LENGTH)));
      const output = decoded.outputs[0];
      return new Float32Array(output.data.slice().buffer);
    };
    const { rgba } = photo(readFileSync(`${IMAGES}/two_dancers.jpg`));
    const [first] = await timed(() => infer(rgba));
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) warm.push((await timed(() => infer(rgba)))[0]);
    const scores = [];
    const float = await floatOutputs(photos);
    const vsFloat = [];
    for (const file of photos) {
      const image = photo(readFileSync(`${IMAGES}/${file}`)).rgba;
      const raw = await infer(image);
      const mask = resizeMask(toMask8(raw), spec.size, spec.size, image.width, image.height);
      scores.push(compareMasks(mask, referenceMask(file)));
      vsFloat.push({ file, ...compare(maskAt(raw, image.width, image.height), maskAt(float.get(file)!, image.width, image.height)) });
    }
    const stats = (await (await fetch(`${dev.url}/stats`)).json()) as { wasmMemoryBytes: number };
    return { first, warm, accuracy: summarise(scores), vsFloat: splitSummary(vsFloat), wasmBytes: stats.wasmMemoryBytes };
  } finally {
    await dev.stop();
  }
}

/** Sizes of the end-to-end runs: the same photo at about 0.25, 1 and 4 MP (5:4). */
export const E2E_SIZES: [number, number][] = [
  [560, 448],
  [1120, 896],
  [2240, 1792],
];

/**
 * Both workers, with `EDGE_MODEL` = the given model: `POST /remove` of one photo at each size
 * (`runs` timed after one warm-up, each a cache miss) and the WASM memory of both workers from
 * `/health`.
 */
export async function benchEndToEnd(runs: number, edgeModel: string) {
  const dev = await startDev(BOTH, "/", { EDGE_MODEL: edgeModel }, true);
  try {
    const source = readFileSync(`${IMAGES}/two_dancers.jpg`);
    const remove = async (jpeg: Uint8Array<ArrayBuffer>) => {
      const response = await fetchOnce(`${dev.url}/remove`, { method: "POST", body: jpeg });
      if (!response.ok) throw new Error(`/remove: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    const first = photo(source, ...E2E_SIZES[1]).jpeg;
    const [coldMs] = await timed(() => remove(first));
    const sizes = [];
    for (const [width, height] of E2E_SIZES) {
      // POSTs are not cached today; distinct bytes (the same pixels at another JPEG quality) keep
      // every run a miss should that change.
      const variants = Array.from({ length: runs + 1 }, (_, i) => photo(source, width, height, 90 - i).jpeg);
      await remove(variants[runs]); // warm-up at this size
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push((await timed(() => remove(variants[i])))[0]);
      sizes.push({ megapixels: (width * height) / 1e6, width, height, bytes: variants[0].byteLength, times });
    }
    const health = (await (await fetch(`${dev.url}/health`)).json()) as { edgeModel: string; memory: { frontWasmBytes: number; segmenterWasmBytes: number } };
    if (health.edgeModel !== edgeModel) throw new Error(`EDGE_MODEL=${edgeModel} but the front runs ${health.edgeModel}`);
    return { model: edgeModel, coldMs, sizes, memory: health.memory };
  } finally {
    await dev.stop();
  }
}

/**
 * The cache hit: only `GET ?url=` answers are cached (a POSTed file has no name to key it by),
 * so this runs the product under Miniflare with the tests' fake image origin
 * (test/e2e/product.ts): the same `GET /remove?url=` twice, the second answered from the cache.
 */
export async function benchCacheHit() {
  // A computed specifier: the e2e harness is type-checked by the test project, not this one.
  const harness: string = "../test/e2e/product.ts";
  const { startProduct } = (await import(harness)) as { startProduct: () => Promise<{ url: string; stop(): Promise<void> }> };
  const product = await startProduct();
  try {
    const get = async () => {
      const response = await fetch(`${product.url}/remove?url=${encodeURIComponent("https://images.test/images/two_dancers.jpg")}`);
      if (!response.ok) throw new Error(`/remove?url=: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      return response.headers.get("x-cache");
    };
    const [missMs, missHeader] = await timed(get);
    const [hitMs, hitHeader] = await timed(get);
    return { missMs, hitMs, missHeader, hitHeader };
  } finally {
    await product.stop();
  }
}
