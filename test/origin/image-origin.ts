/**
 * The outside world as the tests see it: every outbound fetch of the workers under test lands
 * here, in Node. `https://images.test/<path>` serves files under test/fixtures; a few paths
 * play misbehaving servers. Hits are counted per host so tests can prove a host was never
 * contacted.
 */
import { readFile } from "node:fs/promises";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
const TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", json: "application/json" };
const hits = new Map<string, number>();

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
  if (url.hostname === "origin.test" && url.pathname === "/hits") return Response.json(Object.fromEntries(hits));
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
  return serveFile(route);
}
