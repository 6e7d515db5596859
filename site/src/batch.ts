/**
 * Batch boxes: a list of image addresses (pasted or from a .txt file) or image files, sent to
 * `/bbox` a few at a time, with a progress bar, a table of results, and CSV / JSON Lines export.
 * For lists too large for a tab, the CLI does the same job resumably (`edge-u2net bbox`).
 */
import { bboxRecord, mapBounded, toCsv, toJsonLine, type BboxRecord, type BboxResult } from "../../bin/lib/bbox-records.mjs";
import { ensureOk } from "./ui/api";
import { byId, download, messageOf, say } from "./ui/dom";
import { itemName, parseUrlList, requestBoxes, type BatchItem } from "./batch/items";
import { addRow } from "./batch/results-table";

const urls = byId<HTMLTextAreaElement>("urls");
const listFile = byId<HTMLInputElement>("list-file");
const imageFiles = byId<HTMLInputElement>("image-files");
const concurrency = byId<HTMLInputElement>("concurrency");
const minArea = byId<HTMLInputElement>("min-area");
const startButton = byId<HTMLButtonElement>("start");
const progress = byId<HTMLProgressElement>("progress");
const counter = byId<HTMLOutputElement>("counter");
const status = byId("status");
const table = byId<HTMLTableElement>("results");
const exportCsv = byId<HTMLButtonElement>("export-csv");
const exportJsonl = byId<HTMLButtonElement>("export-jsonl");
let records: BboxRecord[] = [];

function items(): BatchItem[] {
  const files = [...(imageFiles.files ?? [])].map((file): BatchItem => ({ kind: "file", file }));
  return [...parseUrlList(urls.value).map((url): BatchItem => ({ kind: "url", url })), ...files];
}

async function boxesOf(item: BatchItem, params: URLSearchParams): Promise<BboxRecord> {
  try {
    const response = await ensureOk(await requestBoxes(item, params));
    return bboxRecord(itemName(item), (await response.json()) as BboxResult);
  } catch (error) {
    return bboxRecord(itemName(item), null, messageOf(error));
  }
}

async function start(): Promise<void> {
  const list = items();
  if (list.length === 0) return say(status, "Add image addresses (one per line) or image files first.", "error");
  const params = new URLSearchParams({ min_area: minArea.value || "0.005" });
  const body = table.tBodies[0];
  body.replaceChildren();
  records = [];
  startButton.disabled = true;
  exportCsv.disabled = exportJsonl.disabled = true;
  progress.max = list.length;
  progress.value = 0;
  let done = 0;
  say(status, `Finding boxes in ${list.length} images…`);
  await mapBounded(list, Number(concurrency.value) || 4, async (item) => {
    const record = await boxesOf(item, params);
    records.push(record);
    addRow(body, item, record);
    progress.value = ++done;
    counter.value = `${done} / ${list.length}`;
  });
  const failed = records.filter((r) => r.error).length;
  say(status, `Done: ${records.length - failed} images processed${failed ? `, ${failed} failed` : ""}.`, failed ? "error" : "done");
  startButton.disabled = false;
  exportCsv.disabled = exportJsonl.disabled = false;
}

listFile.addEventListener("change", async () => {
  const file = listFile.files?.[0];
  if (file) urls.value = (urls.value.trim() ? urls.value.trim() + "\n" : "") + (await file.text());
});
startButton.addEventListener("click", () => void start());
exportCsv.addEventListener("click", () => download(new Blob([toCsv(records)], { type: "text/csv" }), "boxes.csv"));
exportJsonl.addEventListener("click", () => download(new Blob([records.map(toJsonLine).join("")], { type: "application/x-ndjson" }), "boxes.jsonl"));
