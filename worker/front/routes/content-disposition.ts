/**
 * `Content-Disposition: inline; filename="<source>-<effect>.<ext>"`, so "Save image as…" and
 * `<a download>` get a name that says what the file is. The source's name comes from the url=
 * path or the uploaded file's name, reduced to safe ASCII (no quotes, slashes or controls can
 * reach the header).
 */

const MAX_NAME = 64;

/** The base name (no folder, no extension) of a URL path or a file name; "image" when none. */
export function sourceName(raw: string | undefined): string {
  let name = raw ?? "";
  try {
    if (/^https?:\/\//i.test(name)) name = new URL(name).pathname;
  } catch {
    name = "";
  }
  name = name.split(/[\\/]/).pop() ?? "";
  try {
    name = decodeURIComponent(name);
  } catch {
    // a stray % is just a character here
  }
  const safe = name
    .replace(/\.[A-Za-z0-9]{1,5}$/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, MAX_NAME);
  return safe || "image";
}

/** The file extension of an image type: `image/jpeg` → `jpg`. */
export function extensionOf(mime: string): string | null {
  const match = /^image\/([a-z0-9.+-]+)/i.exec(mime);
  if (!match) return null;
  const subtype = match[1].toLowerCase();
  return subtype === "jpeg" ? "jpg" : subtype;
}

/** The header for an image answer, or null for other types (JSON). */
export function contentDisposition(source: string, suffix: string, mime: string): string | null {
  const ext = extensionOf(mime);
  return ext ? `inline; filename="${source}-${suffix}.${ext}"` : null;
}
