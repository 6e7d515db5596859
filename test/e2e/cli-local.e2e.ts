/**
 * `edge-u2net` running the product's own pipeline on this machine (worker threads), against
 * the running product: a folder gives the API's exact bytes, bad files are logged without
 * stopping the run, an interrupted run resumes, stdin goes to stdout. The WASM runtime is the
 * API's own (ORT-web, one thread, same graph and weights, the API's default model), hence
 * byte-equal; the native runtime (onnxruntime-node) computes the same graph with other kernels,
 * hence masks that agree closely but not bit for bit.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { CLI, FIXTURES, api, apiModel, cli, sameBytes } from "./cli-run.ts";
import { decode } from "./pixels.ts";

const baseUrl = inject("baseUrl");
/** Small photos (both cores, minutes at most): two JPEGs and a PNG, one in a subfolder. */
const PHOTOS = [
  { file: "download.jpeg", at: "download.jpeg", name: "download" },
  { file: "images-1.jpeg", at: "more/images-1.jpeg", name: "more/images-1" },
  { file: "chelsea.png", at: "more/chelsea.png", name: "more/chelsea" },
];
let dir: string;
let photos: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-u2net-cli-local-"));
  photos = join(dir, "photos");
  await mkdir(join(photos, "more"), { recursive: true });
  for (const { file, at } of PHOTOS) await copyFile(join(FIXTURES, file), join(photos, at));
  await writeFile(join(photos, "broken.jpg"), "not a photo at all");
});

const jsonLines = async (path: string) => (await readFile(path, "utf8")).trim().split("\n").map((line) => JSON.parse(line));

describe("a folder through the local pipeline", () => {
  for (const effect of ["mask", "remove"]) {
    it(`${effect}: byte-equal to POST /${effect}, subfolders kept, the bad file logged`, async () => {
      const out = join(dir, `out-${effect}`);
      const run = await cli([effect, photos, "--out", out, "--jobs", "2", "--runtime", "wasm"]);
      expect(run.stderr).toContain(`runtime: onnxruntime-web (WASM, as the API), model ${await apiModel(baseUrl)}, 2 threads`);
      expect(run.stderr).toContain("4 images, 0 already in");
      expect(run.stderr, run.stderr).toContain("done: 3 processed, 0 skipped, 1 failed");
      expect(run.code).toBe(1);
      const errors = await jsonLines(join(out, "errors.jsonl"));
      expect(errors).toMatchObject([{ source: join(photos, "broken.jpg"), code: "unsupported_media_type" }]);
      for (const { at, name } of PHOTOS) {
        const mine = await readFile(join(out, `${name}.png`));
        expect(sameBytes(mine, await api(baseUrl, effect, await readFile(join(photos, at)))), `${name}.png`).toBe(true);
      }
    });
  }

  it("effect options are the API's parameters as flags", async () => {
    const out = join(dir, "out-options");
    const photo = join(photos, PHOTOS[0].at);
    const run = await cli(["remove", photo, "--out", out, "--bg", "00ff00", "--threshold", "128", "--format", "jpeg", "--runtime", "wasm", "--jobs", "1"]);
    expect(run.code, run.stderr).toBe(0);
    const mine = await readFile(join(out, "download.jpg"));
    expect(sameBytes(mine, await api(baseUrl, "remove", await readFile(photo), "bg=00ff00&threshold=128&format=jpeg"))).toBe(true);
    // A bad value is refused before any image is read, with the API's message.
    const bad = await cli(["remove", photo, "--out", out, "--bg", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bg=\"nope\": expected a hex colour");
  });

  it("native runtime (onnxruntime-node): masks that agree with the API's (MAE < 0.003, IoU ≥ 0.99)", async () => {
    const out = join(dir, "out-native");
    const run = await cli(["mask", photos, "--out", out, "--jobs", "2", "--runtime", "auto"]);
    if (!run.stderr.includes("onnxruntime-node (native)")) {
      // onnxruntime-node is optional: without it, auto must say so and use WASM.
      expect(run.stderr).toMatch(/onnxruntime-web .*onnxruntime-node does not load/);
      return;
    }
    for (const { at, name } of PHOTOS) {
      const mine = decode(await readFile(join(out, `${name}.png`)));
      const theirs = decode(await api(baseUrl, "mask", await readFile(join(photos, at))));
      expect([mine.width, mine.height]).toEqual([theirs.width, theirs.height]);
      // Other kernels (MLAS on AVX2, not WASM SIMD): fp32 masks land a level apart here and
      // there, int8 ones (other requantization) up to ~16 levels on a few % of pixels (docs/cli.md).
      let abs = 0;
      let inter = 0;
      let union = 0;
      for (let i = 0; i < mine.rgba.length; i += 4) {
        abs += Math.abs(mine.rgba[i] - theirs.rgba[i]);
        const [a, b] = [mine.rgba[i] >= 128, theirs.rgba[i] >= 128];
        if (a && b) inter++;
        if (a || b) union++;
      }
      expect(abs / (mine.width * mine.height) / 255, `${name}: mean difference`).toBeLessThan(0.003);
      expect(inter / union, `${name}: IoU at 128`).toBeGreaterThanOrEqual(0.99);
    }
  });
});

it("bad entries of a list are logged with their codes; the rest is done; exit 1", async () => {
  const out = join(dir, "out-list");
  const truncated = join(dir, "truncated.jpg");
  await writeFile(truncated, (await readFile(join(FIXTURES, PHOTOS[0].file))).subarray(0, 2000));
  await writeFile(join(dir, "list.txt"), ["# a list", join(photos, PHOTOS[0].at), "missing.jpg", truncated, ""].join("\n"));
  const run = await cli(["mask", join(dir, "list.txt"), "--out", out, "--jobs", "2", "--runtime", "wasm"]);
  expect(run.stderr, run.stderr).toContain("done: 1 processed, 0 skipped, 2 failed");
  expect(run.code).toBe(1);
  const errors = Object.fromEntries((await jsonLines(join(out, "errors.jsonl"))).map((e) => [e.source, e.code]));
  expect(errors).toEqual({ [join(dir, "missing.jpg")]: "not_found", [truncated]: "undecodable_image" });
  expect(existsSync(join(out, "download.png"))).toBe(true);
});

it("resumes an interrupted run: answers already written are skipped, none is half-written", async () => {
  const out = join(dir, "out-resume");
  // Killed (no chance to clean up) as soon as its first answer is in place.
  const child = spawn("node", [CLI, "remove", photos, "--out", out, "--jobs", "1", "--runtime", "wasm", "--quiet"], { stdio: "ignore" });
  const answers = async () => (existsSync(out) ? (await readdir(out, { recursive: true })).filter((f) => String(f).endsWith(".png")) : []);
  while ((await answers()).length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
  const kept = (await answers()).length;
  expect(kept).toBeGreaterThanOrEqual(1);

  const run = await cli(["remove", photos, "--out", out, "--jobs", "2", "--runtime", "wasm"]);
  expect(run.stderr).toContain(`4 images, ${kept} already in`);
  expect(run.stderr).toContain(`done: ${3 - kept} processed, ${kept} skipped, 1 failed`);
  for (const { at, name } of PHOTOS) {
    const mine = await readFile(join(out, `${name}.png`));
    expect(sameBytes(mine, await api(baseUrl, "remove", await readFile(join(photos, at)))), name).toBe(true);
  }
});

it("- reads the image on stdin and writes the answer on stdout", async () => {
  const photo = await readFile(join(FIXTURES, "images-2.jpeg"));
  const run = await cli(["mask", "-", "--runtime", "wasm"], photo);
  expect(run.code, run.stderr).toBe(0);
  expect(sameBytes(run.stdout, await api(baseUrl, "mask", photo))).toBe(true);
  const bbox = await cli(["bbox", "-", "--runtime", "wasm"], photo);
  expect(JSON.parse(Buffer.from(bbox.stdout).toString())).toEqual(JSON.parse(Buffer.from(await api(baseUrl, "bbox", photo)).toString()));
  // A bad image: nothing on stdout, the error as JSON on stderr, exit 1.
  const bad = await cli(["mask", "-", "--runtime", "wasm"], new TextEncoder().encode("nope"));
  expect(bad.code).toBe(1);
  expect(bad.stdout.length).toBe(0);
  expect(JSON.parse(bad.stderr.trim().split("\n").pop()!)).toMatchObject({ source: "-", code: "unsupported_media_type" });
});

it("--watch does new files as they appear, once whole, until Ctrl-C", async () => {
  const watched = join(dir, "watched");
  const out = join(dir, "out-watch");
  await mkdir(watched);
  const child = spawn("node", [CLI, "mask", watched, "--out", out, "--jobs", "1", "--runtime", "wasm", "--watch"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  while (!stderr.includes("watching")) await new Promise((r) => setTimeout(r, 50));
  const photo = await readFile(join(FIXTURES, "images-2.jpeg"));
  await writeFile(join(watched, "late.jpeg"), photo);
  while (!existsSync(join(out, "late.png"))) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGINT");
  const code = await new Promise((r) => child.once("close", r));
  expect(code).toBe(0);
  expect(stderr).toContain("done: 1 processed, 0 skipped, 0 failed");
  expect(sameBytes(await readFile(join(out, "late.png")), await api(baseUrl, "mask", photo))).toBe(true);
});
