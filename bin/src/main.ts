/**
 * edge-u2net: the product's pipeline on this machine's cores, or a deployed service's.
 *
 *   edge-u2net <mask|remove|crop|bbox|highlight> <inputs…> --out DIR [--jobs N] [API parameters as flags]
 *   edge-u2net frames --size WxH [--bg HEX] [--realtime] < rgb24 > rgba
 *
 * Run `edge-u2net <command> --help` for each command's options.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { EFFECTS } from "../../core/effects/index.ts";
import { ApiError } from "../../core/errors.ts";
import { DEFAULT_MODEL } from "../../core/models.ts";
import { USAGE, UsageError, helpFor, jobsOf, parseArgs, type Args } from "./args.ts";
import { runBatch, type Result, type Runner } from "./batch.ts";
import { runFrames } from "./frames.ts";
import { EXTENSIONS, type Outcome } from "./messages.ts";
import { describeError, readRequest } from "./pipeline.ts";
import { Pool } from "./pool.ts";
import { RemoteError, remoteAnswer } from "./remote.ts";
import { MODEL_IDS, availableRuntime, type RuntimeChoice } from "./runtime.ts";

const COMMANDS = [...EFFECTS.map((e) => e.name), "frames"];

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const asResult = (outcome: Outcome): Result => (outcome.ok ? { ok: true, output: outcome.output, json: outcome.json } : { ok: false, error: outcome.error });

/** Local worker threads, the model chosen and printed. */
async function localPool(args: Args, effect: string, jobs: number): Promise<Pool> {
  const choice = String(args.own.runtime ?? "auto") as RuntimeChoice;
  if (!["auto", "native", "wasm"].includes(choice)) throw new UsageError("--runtime: auto, native or wasm");
  // The API's own default, so that the same options give the same answer.
  const model = String(args.own.model ?? DEFAULT_MODEL);
  if (!MODEL_IDS.includes(model)) throw new UsageError(`--model: one of ${MODEL_IDS.join(", ")}`);
  const { runtime, note } = availableRuntime(choice);
  const pool = await Pool.start(jobs, { model, runtime, effect, query: args.query.toString() });
  const name = runtime === "native" ? "onnxruntime-node (native)" : "onnxruntime-web (WASM, as the API)";
  process.stderr.write(`runtime: ${name}, model ${model}, ${jobs} thread${jobs > 1 ? "s" : ""}${note ? `; ${note}` : ""}\n`);
  return pool;
}

/** Writes an answer got from a service as a local worker would: whole, by a rename. */
async function writeAnswer(outBase: string, answer: Awaited<ReturnType<typeof remoteAnswer>>): Promise<string> {
  const path = "json" in answer ? `${outBase}.json` : `${outBase}.${EXTENSIONS[answer.format]}`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.partial`, "json" in answer ? JSON.stringify(answer.json) + "\n" : answer.bytes);
  await rename(`${path}.partial`, path);
  return path;
}

function remoteRunner(host: string, effect: string, query: URLSearchParams): Runner {
  return async (item, outBase) => {
    try {
      const answer = await remoteAnswer(host, effect, query, item.source);
      if (!outBase) return { ok: true, json: "json" in answer ? answer.json : undefined };
      return { ok: true, output: await writeAnswer(outBase, answer) };
    } catch (error) {
      return { ok: false, error: error instanceof RemoteError ? { code: error.code, message: error.message } : describeError(error) };
    }
  };
}

/** The service's query: `--model` is its `model=` there (u2netp, u2net, auto). */
function remoteQuery(args: Args): URLSearchParams {
  const query = new URLSearchParams(args.query);
  if (typeof args.own.model === "string") query.set("model", args.own.model);
  return query;
}

/** `-`: one image from stdin, its answer on stdout. */
async function stdinToStdout(args: Args, effect: string, host: string | undefined): Promise<number> {
  const bytes = await readStdin();
  let answer: { bytes?: Uint8Array; json?: unknown };
  try {
    if (host) answer = await remoteAnswer(host, effect, remoteQuery(args), bytes);
    else {
      const pool = await localPool(args, effect, 1);
      const outcome = await pool.run({ kind: "bytes", id: 0, bytes }, [bytes.buffer as ArrayBuffer]);
      await pool.close();
      if (!outcome.ok) throw new RemoteError(outcome.error.code, outcome.error.message);
      answer = outcome;
    }
  } catch (error) {
    const { code, message } = error instanceof RemoteError ? error : describeError(error);
    process.stderr.write(JSON.stringify({ source: "-", code, message }) + "\n");
    return 1;
  }
  await new Promise<void>((resolve) => process.stdout.write(answer.bytes ?? JSON.stringify(answer.json) + "\n", () => resolve()));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const { command, inputs, own } = args;
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    const commands = [...EFFECTS.map((e) => `  ${e.name.padEnd(10)} ${e.summary}`), `  ${"frames".padEnd(10)} raw video frames through remove (ffmpeg's rawvideo)`];
    process.stdout.write(`${USAGE}\n\ncommands:\n${commands.join("\n")}\n`);
    return 0;
  }
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command: ${command}`);
  if (own.help) {
    process.stdout.write(`${helpFor(command)}\n`);
    return 0;
  }
  const jobs = jobsOf(own);
  if (command === "frames") return runFrames(args, jobs, (effect) => localPool(args, effect, jobs));
  // Bad parameters are refused before any image is read, with the API's message.
  const request = readRequest(command, new URLSearchParams(args.query));
  if (!inputs.length) throw new UsageError(`${command}: give images, folders, .txt lists or -`);
  const host = typeof own.host === "string" ? own.host.replace(/\/+$/, "") : process.env.EDGE_U2NET_HOST;
  if (inputs.includes("-")) {
    if (inputs.length > 1) throw new UsageError("- (stdin) is the only input when given");
    return stdinToStdout(args, command, host);
  }
  const records = command === "bbox" && (!request.format || request.format === "auto");
  const out = typeof own.out === "string" ? own.out : records ? "boxes.jsonl" : undefined;
  if (!out) throw new UsageError(`${command}: --out DIR is needed`);
  const options = {
    inputs,
    out,
    records,
    csv: typeof own.csv === "string" ? own.csv : undefined,
    extension: EXTENSIONS[request.preference.format],
    errors: typeof own.errors === "string" ? own.errors : records ? undefined : `${out}/errors.jsonl`,
    jobs,
    watch: own.watch === true,
    quiet: own.quiet === true,
  };
  if (host) {
    process.stderr.write(`host: ${host}, ${jobs} requests at once\n`);
    return runBatch(remoteRunner(host, command, remoteQuery(args)), options);
  }
  const pool = await localPool(args, command, jobs);
  let id = 0;
  try {
    return await runBatch(async (item, outBase) => asResult(await pool.run({ kind: "file", id: id++, source: item.source, outBase })), options);
  } finally {
    await pool.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof ApiError) {
    process.stderr.write(`edge-u2net: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else throw error;
}
