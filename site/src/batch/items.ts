/** What the batch page works on: image addresses (the worker fetches them) or local files (sent as bytes). */
export type BatchItem = { kind: "url"; url: string } | { kind: "file"; file: File };

/** One address per line; blank lines and `#` comments are skipped, non-http(s) lines too. */
export function parseUrlList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /^https?:\/\//i.test(line));
}

export function itemName(item: BatchItem): string {
  return item.kind === "url" ? item.url : item.file.name;
}

/** Calls `/bbox` for one item. */
export function requestBoxes(item: BatchItem, params: URLSearchParams): Promise<Response> {
  if (item.kind === "url") return fetch(`/bbox?${new URLSearchParams([["url", item.url], ...params])}`);
  return fetch(`/bbox?${params}`, { method: "POST", body: item.file });
}
