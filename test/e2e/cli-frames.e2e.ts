/**
 * `edge-u2net frames`: raw rgb24 frames in, cutout frames out in order, each frame's alpha
 * the API's mask of that frame; and through ffmpeg, both ways. ffmpeg is required in CI
 * (`CI` set: .ci/run installs Debian's ffmpeg); elsewhere that part runs when ffmpeg is here.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PhotonImage } from "@cf-wasm/photon";
import { expect, inject, it } from "vitest";
import { CLI, api, cli, sameBytes } from "./cli-run.ts";
import { decode } from "./pixels.ts";

const baseUrl = inject("baseUrl");
const [W, H, FRAMES] = [96, 64, 3];

/** A disc moving over a gradient: something salient in every frame. */
function frame(index: number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  const [cx, cy, r] = [30 + 15 * index, 32, 18];
  for (let y = 0, i = 0; y < H; y++) {
    for (let x = 0; x < W; x++, i += 3) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      rgb.set(inside ? [220, 40, 30] : [80 + x, 120 + y, 160], i);
    }
  }
  return rgb;
}

/** The frame as a PNG file (photon's encoder), to ask the API for its mask. */
function png(rgb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(W * H * 4);
  for (let s = 0, d = 0; s < rgb.length; s += 3, d += 4) rgba.set([rgb[s], rgb[s + 1], rgb[s + 2], 255], d);
  const image = new PhotonImage(rgba, W, H);
  try {
    return image.get_bytes();
  } finally {
    image.free();
  }
}

it("raw rgb24 frames → rgba frames in order, each alpha the API's mask of that frame", async () => {
  const frames = Array.from({ length: FRAMES }, (_, i) => frame(i));
  const run = await cli(["frames", "--size", `${W}x${H}`, "--jobs", "2", "--runtime", "wasm"], Buffer.concat(frames));
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain(`frames: ${FRAMES} of ${W}x${H}`);
  expect(run.stdout.length).toBe(FRAMES * W * H * 4);
  for (let f = 0; f < FRAMES; f++) {
    const out = run.stdout.subarray(f * W * H * 4, (f + 1) * W * H * 4);
    const mask = decode(await api(baseUrl, "mask", png(frames[f])));
    const alpha = new Uint8Array(W * H).map((_, i) => out[i * 4 + 3]);
    const theirs = new Uint8Array(W * H).map((_, i) => mask.rgba[i * 4]);
    expect(sameBytes(alpha, theirs), `frame ${f}`).toBe(true);
    expect(alpha.some((a) => a > 128) && alpha.some((a) => a < 128), `frame ${f} has object and background`).toBe(true);
  }
  // On an opaque colour the frames are rgb24, background pixels that colour.
  const white = await cli(["frames", "--size", `${W}x${H}`, "--bg", "ffffff", "--jobs", "1", "--runtime", "wasm"], Buffer.concat(frames));
  expect(white.stdout.length).toBe(FRAMES * W * H * 3);
  expect([...white.stdout.subarray(0, 3)]).toEqual([255, 255, 255]); // the corner is background
  // --realtime: every frame still comes out, in order; some may reuse a mask (how many depends on speed).
  const live = await cli(["frames", "--size", `${W}x${H}`, "--jobs", "1", "--realtime", "--runtime", "wasm"], Buffer.concat(frames));
  expect(live.code, live.stderr).toBe(0);
  expect(live.stdout.length).toBe(FRAMES * W * H * 4);
  expect(live.stderr).toMatch(new RegExp(`frames: ${FRAMES} of .* \\d+ with a reused mask`));
  // A stream cut inside a frame is an error, not a silently short video.
  const cut = await cli(["frames", "--size", `${W}x${H}`, "--jobs", "1", "--runtime", "wasm"], frames[0].subarray(0, 100));
  expect(cut.code).not.toBe(0);
  expect(cut.stderr).toContain("stdin ended inside a frame");
});

const ffmpeg = spawnSync("ffmpeg", ["-version"]).status === 0;

it.runIf(ffmpeg || process.env.CI)("through ffmpeg: a video in, its frames cut out as PNGs with alpha", async () => {
  expect(ffmpeg, "CI must have ffmpeg (apt-get install ffmpeg)").toBe(true);
  const dir = await mkdtemp(join(tmpdir(), "edge-u2net-frames-"));
  const size = `${W}x${H}`;
  execFileSync("bash", [
    "-o", "pipefail", "-c",
    `ffmpeg -v error -f lavfi -i testsrc2=size=${size}:rate=10 -frames:v ${FRAMES} -f rawvideo -pix_fmt rgb24 - ` +
      `| node "${CLI}" frames --size ${size} --jobs 2 --quiet ` +
      `| ffmpeg -v error -f rawvideo -pix_fmt rgba -s ${size} -r 10 -i - "${dir}/%03d.png"`,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const files = (await readdir(dir)).sort();
  expect(files).toEqual(["001.png", "002.png", "003.png"]);
  const first = decode(await readFile(join(dir, files[0])));
  expect([first.width, first.height]).toEqual([W, H]);
  const alphas = new Set(first.rgba.filter((_, i) => i % 4 === 3));
  expect(alphas.size, "the alpha channel carries a mask").toBeGreaterThan(1);
});
