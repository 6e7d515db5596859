/**
 * The outside world as the tests see it: every outbound fetch of the workers under test lands
 * here, in Node. `https://images.test/<path>` serves files under test/fixtures; a few paths
 * play misbehaving servers. Hits are counted per host so tests can prove a host was never
 * contacted.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { PhotonImage, SamplingFilter, resize } from "@cf-wasm/photon";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { GPU_HOST, gpuOrigin } from "../remote/gpu-origin.ts";
import { large, wallpaper } from "./large.ts";

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
const TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", json: "application/json" };
const ARTIFACTS = resolve(import.meta.dirname, "../artifacts");
const hits = new Map<string, number>();
const pathHits = new Map<string, number>();

/** `/generated/<w>x<h>.<jpg|png>`: a real photo resized to any size, made on demand in Node. */
async function generated(name: string): Promise<Response> {
  const match = /^(\d+)x(\d+)\.(jpg|png)$/.exec(name);
  if (!match) return new Response("bad name", { status: 400 });
  const [width, height] = [Number(match[1]), Number(match[2])];
  const source = PhotonImage.new_from_byteslice(await readFile(join(FIXTURES, "images/two_dancers.jpg")));
  const image = resize(source, width, height, SamplingFilter.Triangle);
  const bytes = match[3] === "jpg" ? image.get_bytes_jpeg(90) : image.get_bytes();
  source.free();
  image.free();
  return new Response(bytes);
}

/**
 * `/webp/<fixture>`: the fixture as lossless WebP (same pixels). `/rgba/<fixture>`: the fixture
 * as a PNG whose left half is 50% transparent.
 */
async function converted(kind: string, path: string): Promise<Response> {
  const image = PhotonImage.new_from_byteslice(await readFile(join(FIXTURES, path)));
  try {
    if (kind === "webp") return new Response(image.get_bytes_webp());
    const pixels = image.get_raw_pixels();
    const width = image.get_width();
    for (let i = 0; i < pixels.length / 4; i++) if (i % width < width / 2) pixels[i * 4 + 3] = 128;
    const rgba = new PhotonImage(pixels, width, image.get_height());
    const bytes = rgba.get_bytes();
    rgba.free();
    return new Response(bytes);
  } finally {
    image.free();
  }
}

/** Failed golden comparisons PUT their actual and expected images here (test/artifacts). */
async function saveArtifact(name: string, request: Request): Promise<Response> {
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, name.replace(/[^\w.-]/g, "_")), new Uint8Array(await request.arrayBuffer()));
  return new Response("saved");
}

async function serveFile(path: string): Promise<Response> {
  if (path === "/images/index.json") {
    return Response.json(readdirSync(join(FIXTURES, "images")).sort());
  }
  const file = resolve(FIXTURES, "." + decodeURIComponent(path));
  if (!file.startsWith(FIXTURES + "/")) return new Response("forbidden", { status: 403 });
  try {
    const bytes = await readFile(file);
    // Deliberately wrong or missing types: the worker must trust magic bytes, not headers.
    return new Response(bytes, { headers: { "content-type": TYPES[file.split(".").pop()!] ?? "application/octet-stream" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

export async function imageOrigin(request: Request): Promise<Response> {
  const url = new URL(request.url);
  hits.set(url.hostname, (hits.get(url.hostname) ?? 0) + 1);
  const where = url.hostname + url.pathname + url.search;
  pathHits.set(where, (pathHits.get(where) ?? 0) + 1);
  if (url.hostname === "origin.test") {
    if (url.pathname === "/hits") return Response.json(Object.fromEntries(hits));
    // `/hits/url?u=<url>`: how often one exact URL was fetched.
    if (url.pathname === "/hits/url") {
      const asked = new URL(url.searchParams.get("u") ?? "");
      return Response.json(pathHits.get(asked.hostname + asked.pathname + asked.search) ?? 0);
    }
    if (url.pathname.startsWith("/artifacts/")) return saveArtifact(url.pathname.slice(11), request);
  }
  if (url.hostname === GPU_HOST) return gpuOrigin(request);
  if (url.hostname !== "images.test") return new Response("unknown host", { status: 502 });
  const route = url.pathname;
  if (route.startsWith("/status/")) return new Response("nope", { status: Number(route.slice(8)) || 500 });
  if (route.startsWith("/redirect/")) {
    const times = Number(route.split("/")[2]);
    const target = times > 1 ? `/redirect/${times - 1}/${route.split("/").slice(3).join("/")}` : "/" + route.split("/").slice(3).join("/");
    return new Response(null, { status: 302, headers: { location: target } });
  }
  if (route === "/redirect-to") return new Response(null, { status: 302, headers: { location: url.searchParams.get("to") ?? "/" } });
  if (route === "/slow") {
    await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") ?? 30000)));
    return new Response("late");
  }
  if (route === "/endless") {
    // A body that never ends: the worker's byte cap must stop it.
    let sent = 0;
    return new Response(new ReadableStream({ pull(c) { sent++; c.enqueue(new Uint8Array(1 << 16)); if (sent > 4096) c.close(); } }));
  }
  if (route.startsWith("/no-store/")) {
    const file = await serveFile("/images/" + route.slice(10));
    return new Response(file.body, { status: file.status, headers: { "cache-control": "no-store" } });
  }
  if (route.startsWith("/generated/")) return generated(route.slice(11));
  if (route.startsWith("/large/")) return large(route.slice(7));
  if (route.startsWith("/wallpaper/")) return wallpaper(route.slice(11));
  if (route.startsWith("/webp/") || route.startsWith("/rgba/")) return converted(route.slice(1, 5), route.slice(5));
  return serveFile(route);
}
