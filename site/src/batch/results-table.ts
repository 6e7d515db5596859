/** The batch results table: a thumbnail with the boxes drawn over it, the boxes as text, the status. */
import type { BboxRecord } from "../../../bin/lib/bbox-records.mjs";
import type { BatchItem } from "./items";

function thumbnail(item: BatchItem, record: BboxRecord): HTMLElement {
  const figure = document.createElement("div");
  figure.className = "thumb";
  const image = document.createElement("img");
  image.alt = "";
  image.loading = "lazy";
  image.src = item.kind === "url" ? item.url : URL.createObjectURL(item.file);
  figure.append(image);
  if (record.width && record.height) {
    for (const box of record.boxes) {
      const frame = document.createElement("span");
      frame.className = "box";
      frame.style.left = `${(100 * box.x) / record.width}%`;
      frame.style.top = `${(100 * box.y) / record.height}%`;
      frame.style.width = `${(100 * box.width) / record.width}%`;
      frame.style.height = `${(100 * box.height) / record.height}%`;
      figure.append(frame);
    }
  }
  return figure;
}

/** Appends one row for `record`. */
export function addRow(body: HTMLTableSectionElement, item: BatchItem, record: BboxRecord): void {
  const row = body.insertRow();
  row.dataset.status = record.error ? "error" : "ok";
  row.insertCell().append(thumbnail(item, record));
  const name = row.insertCell();
  name.textContent = record.source;
  name.className = "source";
  row.insertCell().textContent = record.width ? `${record.width}×${record.height}` : "";
  row.insertCell().textContent = record.error
    ? record.error
    : record.boxes.map((b) => `${b.x},${b.y} ${b.width}×${b.height} (${b.confidence.toFixed(2)})`).join("; ") || "no object";
}
