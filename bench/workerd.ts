/**
 * Starting and stopping `wrangler dev` for the benchmarks: workerd on 127.0.0.1, the same
 * runtime as production (which has no memory limit locally: the benchmark reads
 * WebAssembly.Memory sizes instead).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

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
  stop(): Promise<void>;
}

/** Runs `wrangler dev` with the given configs (and `[vars]` overrides) and resolves once it serves requests. */
export async function startDev(configs: string[], readyPath: string, vars: Record<string, string> = {}): Promise<Dev> {
  const port = await freePort();
  const overrides = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = ["wrangler", "dev", ...configs.flatMap((c) => ["-c", c]), ...overrides, "--ip", "127.0.0.1", "--port", String(port)];
  // Run wrangler's own bin (not npx) so killing it stops workerd too.
  const child: ChildProcess = spawn("node", ["node_modules/wrangler/bin/wrangler.js", ...args.slice(1)], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      const response = await fetch(url + readyPath);
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/**
 * `fetch` that repeats a request once when wrangler dev reloaded the worker under it (it
 * watches the sources, which other work in this checkout may touch while a benchmark runs).
 */
export async function fetchOnce(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (response.status !== 503) return response;
  const text = await response.text();
  if (!text.includes("restarted")) return new Response(text, { status: response.status, headers: response.headers });
  return fetch(url, init);
}
