/**
 * The batch CLI (`edge-u2net bbox`) against the running product: URLs and a local file,
 * results appended as JSON Lines, a second run resumes (skips what is done, retries failures),
 * and CSV written from the whole file.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");
const CLI = resolve(import.meta.dirname, "../../bin/edge-u2net.mjs");
const FIXTURES = resolve(import.meta.dirname, "../fixtures/images");

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)("node", [CLI, ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const { code, stderr } = error as { code: number; stderr: string };
    return { code, stderr };
  }
}

const lines = async (path: string) => (await readFile(path, "utf8")).trim().split("\n").map((line) => JSON.parse(line));

it("finds boxes for a list, resumably, and writes JSON Lines and CSV", async () => {
  const dir = await mkdtemp(join(tmpdir(), "edge-u2net-cli-"));
  const urls = ["chelsea.png", "coffee.png", "rocket.jpg"].map((name) => `https://images.test/images/${name}`);
  const local = join(FIXTURES, "astronaut.png");
  const broken = "https://images.test/status/500";
  await writeFile(join(dir, "list.txt"), ["# fixtures", ...urls, local, broken, ""].join("\n"));
  const out = join(dir, "boxes.jsonl");
  // A run that was interrupted after the first image.
  const first = await (await fetch(`${baseUrl}/bbox?url=${encodeURIComponent(urls[0])}`)).json();
  await writeFile(out, JSON.stringify({ source: urls[0], ...first }) + "\n" + '{"source": "https://images.test/images/cof');

  const run1 = await cli("bbox", join(dir, "list.txt"), "--host", baseUrl, "--out", out, "--concurrency", "2");
  expect(run1.stderr).toContain("5 images, 1 already in");
  expect(run1.stderr).toMatch(/\[#+\] 4\/4 \(1 failed\)/);
  expect(run1.stderr).toContain("done: 3 processed, 1 skipped, 1 failed");
  expect(run1.code).toBe(1);
  // The cut-short line is gone; every image has its own complete line, once.
  const valid = await lines(out);
  const sources = valid.map((r: { source: string }) => r.source);
  expect(sources.sort()).toEqual([...urls, local, broken].sort());
  const astronaut = valid.find((r: { source: string }) => r.source === local);
  const api = await (await fetch(`${baseUrl}/bbox`, { method: "POST", body: await readFile(local) })).json();
  expect(astronaut.boxes).toEqual(api.boxes);
  expect(valid.find((r: { source: string }) => r.source === broken).error).toMatch(/HTTP 502 upstream_error/);

  const csv = join(dir, "boxes.csv");
  const run2 = await cli("bbox", join(dir, "list.txt"), "--host", baseUrl, "--out", out, "--csv", csv);
  expect(run2.stderr).toContain("5 images, 4 already in");
  expect(run2.stderr).toContain("done: 0 processed, 4 skipped, 1 failed");
  const rows = (await readFile(csv, "utf8")).trim().split("\n");
  expect(rows[0]).toBe("source,image_width,image_height,box,x,y,width,height,confidence,error");
  expect(rows.filter((r) => r.startsWith(broken))).toHaveLength(1);
  expect(rows.filter((r) => r.startsWith(local)).length).toBe(api.boxes.length);
});
