/**
 * Starting and stopping `wrangler dev` for the benchmarks: workerd on 127.0.0.1, the same
 * runtime as production (which has no memory limit locally: the benchmark reads
 * WebAssembly.Memory sizes instead).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface Dev {
  url: string;
  /** wrangler's process id (workerd runs as its child). */
  pid: number;
  /** What wrangler and the workers printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** What the workers are built from (with node_modules linked), relative to the repository root. */
const WORKER_SOURCES = ["worker", "core", "models", "dist/site", "wrangler.toml", "tsconfig.base.json", "package.json"];

/**
 * A copy of the workers' sources in a temporary folder: wrangler dev watches what it bundles and
 * restarts the workers when a file changes, which other work in this checkout does while a long
 * benchmark runs (a restart mid-request drops it, and the next one pays a cold isolate).
 */
function snapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-workers-"));
  for (const path of WORKER_SOURCES) cpSync(path, join(dir, path), { recursive: true });
  symlinkSync(resolve("node_modules"), join(dir, "node_modules"));
  return dir;
}

/**
 * Runs `wrangler dev` with the given configs (and `[vars]` overrides) and resolves once it serves
 * requests; with `frozen`, on a copy of the sources taken now (see `snapshot`).
 */
export async function startDev(configs: string[], readyPath: string, vars: Record<string, string> = {}, frozen = false): Promise<Dev> {
  const cwd = frozen ? snapshot() : process.cwd();
  const port = await freePort();
  const overrides = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = ["wrangler", "dev", ...configs.flatMap((c) => ["-c", c]), ...overrides, "--ip", "127.0.0.1", "--port", String(port)];
  // Run wrangler's own bin (not npx) so killing it stops workerd too.
  const child: ChildProcess = spawn("node", [resolve("node_modules/wrangler/bin/wrangler.js"), ...args.slice(1)], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 500));
    if (frozen) rmSync(cwd, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev ${child.exitCode !== null ? "exited" : "did not start"}:\n${log}`);
    }
    try {
      const response = await fetch(url + readyPath);
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, log: () => log, stop };
}

/**
 * `fetch` that repeats a request once when wrangler dev reloaded the worker under it (it
 * watches the sources, which other work in this checkout may touch while a benchmark runs):
 * on its 503 "restarted" answer, or when the connection dropped.
 */
export async function fetchOnce(url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    // The connection dropped: the worker restarting under the request does that too.
    if (!(error instanceof TypeError)) throw error;
    await new Promise((r) => setTimeout(r, 2000));
    return fetch(url, init);
  }
  if (response.status !== 503) return response;
  const text = await response.text();
  if (!text.includes("restarted")) return new Response(text, { status: response.status, headers: response.headers });
  return fetch(url, init);
}
