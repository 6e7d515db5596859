#!/usr/bin/env node
/**
 * edge-u2net CLI. One command for now:
 *
 *   edge-u2net bbox <list.txt> [--host URL] [--out boxes.jsonl] [--csv boxes.csv]
 *                              [--concurrency 4] [--min-area 0.005]
 *
 * Each line of the list is an image: an http(s) URL (the worker fetches it: GET /bbox?url=)
 * or a local file path (sent as the body: POST /bbox). Results are appended to --out as JSON
 * Lines as they arrive, so an interrupted run resumes where it stopped: images already in the
 * file without an error are skipped. --csv also writes every record of --out as CSV.
 * Plain Node ESM (Node ≥ 20), no build step and no dependencies.
 */
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bboxRecord, mapBounded, toCsv, toJsonLine } from "./lib/bbox-records.mjs";
import { progressBar } from "./lib/progress.mjs";

const USAGE = `usage: edge-u2net bbox <list.txt> [--host URL] [--out boxes.jsonl] [--csv boxes.csv] [--concurrency 4] [--min-area 0.005]`;
/** Attempts per image when the worker answers 503 busy (it says when to retry). */
const ATTEMPTS = 4;

function fail(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

/** The list's entries: URLs as they are, file paths resolved against the list's folder. */
async function readList(path) {
  const base = dirname(resolve(path));
  return (await readFile(path, "utf8"))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => (/^https?:\/\//i.test(line) ? line : resolve(base, line)));
}

/**
 * Records already in the output file, by source (the last one wins). A last line cut short by
 * an interrupted run is dropped from the file, so new lines do not append to it; that image
 * is simply done again.
 */
async function readDone(out) {
  const done = new Map();
  if (!existsSync(out)) return done;
  let text = await readFile(out, "utf8");
  if (text && !text.endsWith("\n")) {
    text = text.slice(0, text.lastIndexOf("\n") + 1);
    await writeFile(out, text);
  }
  for (const line of text.split("\n")) {
    if (line.trim()) {
      const record = JSON.parse(line);
      done.set(record.source, record);
    }
  }
  return done;
}

async function requestBoxes(host, source, params) {
  if (/^https?:\/\//i.test(source)) return fetch(`${host}/bbox?${new URLSearchParams([["url", source], ...params])}`);
  return fetch(`${host}/bbox?${params}`, { method: "POST", body: await readFile(source) });
}

async function boxesOf(host, source, params) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await requestBoxes(host, source, params);
    } catch (error) {
      return bboxRecord(source, null, error.code === "ENOENT" ? "no such file" : `cannot reach ${host}: ${error.cause?.code ?? error.message}`);
    }
    if (response.ok) return bboxRecord(source, await response.json());
    const body = await response.json().catch(() => ({}));
    if (response.status === 503 && body.error?.code === "busy" && attempt < ATTEMPTS) {
      await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get("retry-after") ?? 2)));
      continue;
    }
    return bboxRecord(source, null, `HTTP ${response.status} ${body.error?.code ?? ""}: ${body.error?.message ?? response.statusText}`.trim());
  }
}

async function bbox(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: "string", default: process.env.EDGE_U2NET_HOST ?? "http://127.0.0.1:8787" },
      out: { type: "string", default: "boxes.jsonl" },
      csv: { type: "string" },
      concurrency: { type: "string", default: "4" },
      "min-area": { type: "string", default: "0.005" },
    },
  });
  if (positionals.length !== 1) fail("bbox: give one list file");
  const host = values.host.replace(/\/+$/, "");
  const concurrency = Number(values.concurrency);
  if (!(concurrency >= 1 && concurrency <= 64)) fail("--concurrency: 1 to 64");
  const params = new URLSearchParams({ min_area: values["min-area"] });

  const sources = await readList(positionals[0]);
  const done = await readDone(values.out);
  const todo = [...new Set(sources)].filter((source) => !(done.get(source) && !done.get(source).error));
  process.stderr.write(`${sources.length} images, ${sources.length - todo.length} already in ${values.out}, ${todo.length} to do\n`);

  const bar = progressBar(todo.length);
  let failed = 0;
  await mapBounded(todo, concurrency, async (source) => {
    const record = await boxesOf(host, source, params);
    if (record.error) failed++;
    await appendFile(values.out, toJsonLine(record));
    bar.tick(!record.error);
  });
  bar.end();
  if (values.csv) {
    const records = [...(await readDone(values.out)).values()];
    await writeFile(values.csv, toCsv(records));
  }
  process.stderr.write(`done: ${todo.length - failed} processed, ${sources.length - todo.length} skipped, ${failed} failed\n`);
  return failed ? 1 : 0;
}

const [command, ...rest] = process.argv.slice(2);
if (command === "bbox") process.exitCode = await bbox(rest);
else fail(command ? `unknown command: ${command}` : "no command");
