/**
 * The command line's inputs as a list of images, each with the name its answer gets in --out:
 * a file is its base name, a folder's files keep their path below it (subfolders kept), a .txt
 * list's lines are files (relative to the list) or http(s) URLs. Two images that would get the
 * same name keep their extension in it (`a.jpg.png`, `a.png.png`).
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";

export interface Item {
  /** A file path or an http(s) URL. */
  source: string;
  /** The answer's path in --out, without its extension. */
  name: string;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;
const isUrl = (s: string) => /^https?:\/\//i.test(s);
const stem = (path: string) => path.slice(0, path.length - extname(path).length);

/** Every image file below `dir`, sorted, as paths relative to it (folders under `skip` left out). */
async function walk(dir: string, skip: string | undefined): Promise<string[]> {
  const found: string[] = [];
  const visit = async (at: string) => {
    if (skip && (at === skip || at.startsWith(skip + sep))) return;
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && IMAGE.test(entry.name)) found.push(relative(dir, path));
    }
  };
  await visit(dir);
  return found.sort();
}

async function readList(path: string): Promise<Item[]> {
  const base = dirname(resolve(path));
  return (await readFile(path, "utf8"))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      if (isUrl(line)) return { source: line, name: stem(basename(new URL(line).pathname)) || "image" };
      return { source: resolve(base, line), name: stem(basename(line)) };
    });
}

/** The images the inputs name; `out` (a folder) is never read as input. */
export async function listInputs(inputs: string[], out?: string): Promise<Item[]> {
  const items: Item[] = [];
  const skip = out && resolve(out);
  for (const input of inputs) {
    if (isUrl(input)) items.push({ source: input, name: stem(basename(new URL(input).pathname)) || "image" });
    else if (/\.txt$/i.test(input)) items.push(...(await readList(input)));
    else if ((await stat(input).catch(() => null))?.isDirectory()) {
      for (const path of await walk(resolve(input), skip)) items.push({ source: join(resolve(input), path), name: stem(path) });
    } else items.push({ source: resolve(input), name: stem(basename(input)) });
  }
  return disambiguate(items);
}

/** The same source once; names that collide keep their source's extension. */
function disambiguate(items: Item[]): Item[] {
  const unique = [...new Map(items.map((item) => [item.source, item])).values()];
  const count = new Map<string, number>();
  for (const { name } of unique) count.set(name, (count.get(name) ?? 0) + 1);
  return unique.map((item) => ((count.get(item.name) ?? 0) > 1 ? { ...item, name: item.name + extname(isUrl(item.source) ? new URL(item.source).pathname : item.source) } : item));
}

/** The folders among the inputs (what --watch follows). */
export async function folders(inputs: string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const input of inputs) if ((await stat(input).catch(() => null))?.isDirectory()) dirs.push(input);
  return dirs;
}
