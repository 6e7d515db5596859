/**
 * The rembg-style peer of the CLI bench (what `rembg p` does): plain onnxruntime-node, the
 * stock fp32 u2netp.onnx with default session options (every core for one image), one image
 * at a time. Decoding, pre-processing, the mask at full size and its PNG use this product's
 * core/ code, so the row differs from the CLI's only in how the model runs.
 *
 *   tsx bench/rembg-style.ts <out.json> <photo>…   → { createMs, ms[], accuracy }
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import type * as OrtNode from "onnxruntime-node";
import type { Codecs } from "../core/codecs/index";
import { JpegCodec } from "../core/codecs/jpeg";
import { PngCodec } from "../core/codecs/png";
import { ENCODERS } from "../core/encode/index";
import { MaskRows, toMask8 } from "../core/mask";
import { MODELS } from "../core/models";
import { Ledger } from "../core/pipeline/ledger";
import { inspect, openPhoto } from "../core/pipeline/open";
import { modelInput } from "../core/preprocess";
import { compareMasks, referenceMask, summarise } from "./masks";

const ort = createRequire(import.meta.url)("onnxruntime-node") as typeof OrtNode;
const compile = (file: string) => new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(readFileSync(file));
const codecs = { jpeg: new JpegCodec(compile("core/codecs/jpeg.wasm")), png: new PngCodec(compile("core/codecs/png.wasm")) } as unknown as Codecs;
const spec = MODELS.u2netp; // the stock graph has the same input, output and pre-processing

const [outFile, ...photos] = process.argv.slice(2);
const started = performance.now();
const session = await ort.InferenceSession.create("models/u2netp.onnx");
const createMs = performance.now() - started;

const ms: number[] = [];
const scores: { mae: number; iou: number }[] = [];
for (const path of photos) {
  const t0 = performance.now();
  const bytes = new Uint8Array(readFileSync(path));
  const ledger = new Ledger();
  const inspection = inspect(bytes, codecs);
  const photo = openPhoto(bytes, inspection, codecs, ledger);
  const input = modelInput(photo.open(), spec);
  const results = await session.run({ [spec.inputName]: new ort.Tensor("float32", input, [1, 3, spec.size, spec.size]) });
  const mask = new MaskRows(toMask8(results[spec.outputName].data as Float32Array), spec.size, spec.size, photo.width, photo.height).resized(photo.width, photo.height);
  const picture = { width: photo.width, height: photo.height, channels: 1 as const, opaque: true, *bands() { yield mask; } };
  let size = 0;
  for await (const chunk of ENCODERS.png.encode(picture, codecs, ledger, {})) size += chunk.length;
  ms.push(performance.now() - t0);
  if (size === 0) throw new Error("no PNG");
  scores.push(compareMasks(mask, referenceMask(basename(path))));
}
writeFileSync(outFile, JSON.stringify({ createMs, ms, accuracy: summarise(scores) }));
