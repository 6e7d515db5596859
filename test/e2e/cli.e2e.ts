/**
 * The batch CLI (`edge-u2net bbox --host`) against the running product: URLs and a local file,
 * results appended as JSON Lines, a second run resumes (skips what is done, retries failures),
 * and CSV written from the whole file. Only the broken URL may fail: the CLI retries 429 and
 * 503 (busy, or the segmenter not ready yet on a cold machine) after Retry-After, and any other
 * failure is named in the assertion's message with the service's own error.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  // Any failure but the broken URL's shows here with the service's error (the run's record).
  const failures = (await lines(out)).filter((r: { error?: string }) => r.error).map((r: { source: string; error: string }) => `${r.source}: ${r.error}`);
  expect(failures).toEqual([expect.stringMatching(/^https:\/\/images\.test\/status\/500: HTTP 502 upstream_error/)]);
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

it("--host sends every command to the service: a cutout byte-equal to POST /remove", async () => {
  const dir = await mkdtemp(join(tmpdir(), "edge-u2net-cli-host-"));
  const photo = join(FIXTURES, "images-1.jpeg");
  const run = await cli("remove", photo, "--host", baseUrl, "--out", dir, "--bg", "ffffff", "--format", "jpeg");
  expect(run.code, run.stderr).toBe(0);
  const api = await fetch(`${baseUrl}/remove?bg=ffffff&format=jpeg`, { method: "POST", body: await readFile(photo) });
  expect(Buffer.compare(await readFile(join(dir, "images-1.jpg")), Buffer.from(await api.arrayBuffer()))).toBe(0);
});

it("--host retries 503 and 429 after Retry-After, then takes the answer", async () => {
  const asked: number[] = [];
  // A service that is busy, then rate-limited, then answers.
  const server = createServer((request, response) => {
    asked.push(Date.now());
    request.resume();
    if (asked.length === 1) response.writeHead(503, { "retry-after": "1", "content-type": "application/json" }).end('{"error":{"code":"busy","message":"busy"}}');
    else if (asked.length === 2) response.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end('{"error":{"code":"rate_limited","message":"slow down"}}');
    else response.writeHead(200, { "content-type": "image/png" }).end(Buffer.from("a PNG, as far as the CLI knows"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = await mkdtemp(join(tmpdir(), "edge-u2net-cli-retry-"));
  try {
    const run = await cli("mask", join(FIXTURES, "images-1.jpeg"), "--host", `http://127.0.0.1:${(server.address() as AddressInfo).port}`, "--out", dir);
    expect(run.code, run.stderr).toBe(0);
    expect(asked).toHaveLength(3);
    expect(asked[1] - asked[0]).toBeGreaterThanOrEqual(950);
    expect(asked[2] - asked[1]).toBeGreaterThanOrEqual(950);
    expect(await readFile(join(dir, "images-1.png"), "utf8")).toBe("a PNG, as far as the CLI knows");
  } finally {
    server.close();
  }
});
