/**
 * Batch box results as files, shared by the batch page and the CLI: one JSON line per image
 * (the resumable log) and CSV with one row per box.
 */

/** CSV columns: the image, its size, then one box (empty when none, or on error). */
export const CSV_COLUMNS = ["source", "image_width", "image_height", "box", "x", "y", "width", "height", "confidence", "error"];

/**
 * One image's outcome as a record.
 * @param {string} source the URL or file name
 * @param {{ width: number, height: number, boxes: Array<{x:number,y:number,width:number,height:number,confidence:number}> } | null} result `/bbox` JSON
 * @param {string} [error] why it failed
 */
export function bboxRecord(source, result, error) {
  return result
    ? { source, width: result.width, height: result.height, boxes: result.boxes }
    : { source, width: null, height: null, boxes: [], error: error ?? "failed" };
}

/** One JSON Lines line (with its newline). */
export function toJsonLine(record) {
  return JSON.stringify(record) + "\n";
}

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV rows of one record (no header): one per box, or one with empty box fields. */
export function toCsvRows(record) {
  const head = [record.source, record.width, record.height];
  const rows = record.boxes.length
    ? record.boxes.map((b, i) => [...head, i, b.x, b.y, b.width, b.height, b.confidence, ""])
    : [[...head, "", "", "", "", "", "", record.error ?? ""]];
  return rows.map((row) => row.map(csvCell).join(",") + "\n").join("");
}

/** A whole CSV file: header and every record's rows. */
export function toCsv(records) {
  return CSV_COLUMNS.join(",") + "\n" + records.map(toCsvRows).join("");
}

/**
 * Runs `task` over `items` with at most `concurrency` at once; results keep the items' order.
 * @template T, R
 * @param {readonly T[]} items
 * @param {number} concurrency
 * @param {(item: T, index: number) => Promise<R>} task
 * @returns {Promise<R[]>}
 */
export async function mapBounded(items, concurrency, task) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return results;
}
