/**
 * A batch: the inputs' images, those already done skipped, the rest run `jobs` at a time
 * (worker threads here, or requests to `--host`), answers written as `<out>/<name>.<ext>`
 * (or, for `bbox` without `--format`, records appended to a JSON Lines file), failures logged
 * as JSON Lines without stopping the run, a progress bar, then a summary. `--watch` keeps
 * polling the input folders for new files.
 */
import { existsSync } from "node:fs";
import { appendFile, mkdir, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EXTENSIONS } from "./messages.ts";
import { listInputs, type Item } from "./inputs.ts";
import { progressBar, type Progress } from "./progress.ts";
import { appendRecord, readRecords, writeCsv } from "./records.ts";
import type { BboxResult } from "../lib/bbox-records.mjs";

/** What running one image gave: where its answer went, or why it failed. */
export type Result = { ok: true; output?: string; json?: unknown } | { ok: false; error: { code: string; message: string } };

/** Runs one image: writes `<outBase>.<ext>` when given, else hands back its JSON. */
export type Runner = (item: Item, outBase?: string) => Promise<Result>;

export interface BatchOptions {
  inputs: string[];
  /** A folder for answers, or the JSON Lines file of records (`records`). */
  out: string;
  records: boolean;
  csv?: string;
  /** The extension answers will have (what makes an image done). */
  extension: string;
  errors?: string;
  jobs: number;
  watch: boolean;
  quiet: boolean;
}

const POLL_MS = 1000;

class Tally {
  processed = 0;
  failed = 0;
}

/** Images not done yet: no answer file in `out`, or no error-free record. */
async function todo(items: Item[], options: BatchOptions): Promise<Item[]> {
  if (options.records) {
    const done = await readRecords(options.out);
    return items.filter((item) => !(done.get(item.source) && !done.get(item.source)!.error));
  }
  return items.filter((item) => !existsSync(join(options.out, `${item.name}.${options.extension}`)));
}

async function runAll(items: Item[], run: Runner, options: BatchOptions, bar: Progress, tally: Tally): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      const result = await run(item, options.records ? undefined : join(options.out, item.name));
      if (options.records) {
        await appendRecord(options.out, item.source, result.ok ? (result.json as BboxResult) : null, result.ok ? undefined : result.error.message);
      }
      if (result.ok) tally.processed++;
      else {
        tally.failed++;
        if (options.errors) await appendFile(options.errors, JSON.stringify({ source: item.source, ...result.error, at: new Date().toISOString() }) + "\n");
      }
      bar.tick(result.ok);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, items.length)) }, lane));
}

/** Runs the batch; the exit status (1 when anything failed). */
export async function runBatch(run: Runner, options: BatchOptions): Promise<number> {
  const out = resolve(options.out);
  if (!options.records) await mkdir(out, { recursive: true });
  if (options.errors) await writeFile(options.errors, "");
  const items = await listInputs(options.inputs, options.records ? undefined : out);
  const pending = await todo(items, options);
  const where = options.records ? options.out : out;
  process.stderr.write(`${items.length} images, ${items.length - pending.length} already in ${where}, ${pending.length} to do\n`);
  const bar = progressBar(pending.length, process.stderr, options.quiet);
  const tally = new Tally();
  await runAll(pending, run, options, bar, tally);
  if (options.watch) await watch(run, options, bar, tally, new Set(items.map((item) => item.source)));
  bar.end();
  if (options.csv && options.records) await writeCsv(options.out, options.csv);
  const skipped = items.length - pending.length;
  process.stderr.write(`done: ${tally.processed} processed, ${skipped} skipped, ${tally.failed} failed${tally.failed && options.errors ? ` (see ${options.errors})` : ""}\n`);
  return tally.failed ? 1 : 0;
}

/** The new files whose size has not changed since the last poll (a file still being copied waits). */
async function steady(items: Item[], sizes: Map<string, number>): Promise<Item[]> {
  const ready: Item[] = [];
  for (const item of items) {
    const size = (await stat(item.source).catch(() => null))?.size;
    if (size !== undefined && sizes.get(item.source) === size) ready.push(item);
    else if (size !== undefined) sizes.set(item.source, size);
  }
  return ready;
}

/** Polls the inputs for images not seen before, until SIGINT or SIGTERM. */
async function watch(run: Runner, options: BatchOptions, bar: Progress, tally: Tally, seen: Set<string>): Promise<void> {
  let stop = false;
  const halt = () => (stop = true);
  process.once("SIGINT", halt).once("SIGTERM", halt);
  process.stderr.write(`watching ${options.inputs.join(", ")} (Ctrl-C to stop)\n`);
  const sizes = new Map<string, number>();
  while (!stop) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const fresh = (await listInputs(options.inputs, options.records ? undefined : resolve(options.out))).filter((item) => !seen.has(item.source));
    const settled = await steady(fresh, sizes);
    for (const item of settled) seen.add(item.source);
    const pending = await todo(settled, options);
    if (!pending.length) continue;
    bar.add(pending.length);
    await runAll(pending, run, options, bar, tally);
  }
}
