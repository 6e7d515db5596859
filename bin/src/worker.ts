/**
 * A worker thread: its own codecs and model session (one ORT thread), one image at a time.
 * Answers are written beside their final name and renamed into place, so an interrupted run
 * never leaves a half-written answer that a resumed run would take for done.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { Ledger } from "../../core/pipeline/ledger.ts";
import { renderFrame } from "./frame-render.ts";
import { EXTENSIONS, type FromWorker, type Task, type WorkerSetup } from "./messages.ts";
import { nodeCodecs } from "./node-codecs.ts";
import { describeError, readRequest, readSource, renderFile, type Rendered } from "./pipeline.ts";
import { loadSegmenter, type Segmenter } from "./runtime.ts";

const setup = workerData as WorkerSetup;
const port = parentPort!;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}

async function answerFile(rendered: Rendered, outBase: string): Promise<string> {
  if ("json" in rendered) {
    await writeWhole(`${outBase}.json`, new TextEncoder().encode(JSON.stringify(rendered.json) + "\n"));
    return `${outBase}.json`;
  }
  const path = `${outBase}.${EXTENSIONS[rendered.format]}`;
  await writeWhole(path, rendered.bytes);
  return path;
}

async function main(): Promise<void> {
  const codecs = nodeCodecs();
  const request = readRequest(setup.effect === "frames" ? "remove" : setup.effect, new URLSearchParams(setup.query));
  let model: Segmenter;
  try {
    model = await loadSegmenter(setup.model, setup.runtime);
  } catch (error) {
    send({ failed: (error as Error).message });
    return;
  }
  // The latest mask, for --realtime frames that skip the model.
  let latest: Float32Array | undefined;
  const frameModel = (reuse: boolean): Segmenter => ({
    ...model,
    infer: async (input) => (reuse && latest ? latest : (latest = await model.infer(input))),
  });
  port.on("message", async (task: Task) => {
    const started = performance.now();
    try {
      if (task.kind === "frame") {
        const pixels = await renderFrame(task, request, codecs, frameModel(task.reuse), new Ledger());
        send({ id: task.id, ok: true, bytes: pixels, ms: performance.now() - started }, [pixels.buffer as ArrayBuffer]);
        return;
      }
      const bytes = task.kind === "bytes" ? task.bytes : await readSource(task.source);
      const rendered = await renderFile(bytes, request, codecs, model);
      if (task.kind === "file" && task.outBase) {
        send({ id: task.id, ok: true, output: await answerFile(rendered, task.outBase), ms: performance.now() - started });
      } else if ("json" in rendered) send({ id: task.id, ok: true, json: rendered.json, ms: performance.now() - started });
      else send({ id: task.id, ok: true, bytes: rendered.bytes, ms: performance.now() - started }, [rendered.bytes.buffer as ArrayBuffer]);
    } catch (error) {
      send({ id: task.id, ok: false, error: describeError(error) });
    }
  });
  send({ ready: model.runtime });
}

await main();
