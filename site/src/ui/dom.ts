/** Small DOM helpers shared by the pages. */

/** The element with this id; throws if the page lacks it (a bug, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** Shows a message in a polite live region; `kind` styles it (and errors are announced). */
export function say(target: HTMLElement, message: string, kind: "info" | "error" | "done" = "info"): void {
  target.textContent = message;
  target.dataset.kind = kind;
}

/** The message of anything thrown, for a person to read. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Offers `blob` as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
