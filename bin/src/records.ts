/**
 * `bbox` without `--format`: one JSON record per image appended to a JSON Lines file as it
 * arrives (the format the CLI always had, shared with the site through bin/lib/bbox-records.mjs),
 * so a rerun skips images already there without an error; `--csv` writes them all as CSV.
 */
import { existsSync } from "node:fs";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { bboxRecord, toCsv, toJsonLine, type BboxRecord, type BboxResult } from "../lib/bbox-records.mjs";

/**
 * Records already in the file, by source (the last one wins). A last line cut short by an
 * interrupted run is cut from the file, so new lines do not append to it.
 */
export async function readRecords(path: string): Promise<Map<string, BboxRecord>> {
  const done = new Map<string, BboxRecord>();
  if (!existsSync(path)) return done;
  let text = await readFile(path, "utf8");
  if (text && !text.endsWith("\n")) {
    text = text.slice(0, text.lastIndexOf("\n") + 1);
    await writeFile(path, text);
  }
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as BboxRecord;
    done.set(record.source, record);
  }
  return done;
}

export const appendRecord = (path: string, source: string, result: BboxResult | null, error?: string) =>
  appendFile(path, toJsonLine(bboxRecord(source, result, error)));

export async function writeCsv(records: string, csv: string): Promise<void> {
  await writeFile(csv, toCsv([...(await readRecords(records)).values()]));
}
