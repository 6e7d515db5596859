/**
 * `npm run load`: N concurrent clients against the product under `wrangler dev` on 127.0.0.1
 * for T seconds, mixed endpoints and image sizes; then throughput, latency percentiles, errors
 * and the memory of the workerd processes at start and end.
 *
 *   npm run load -- [--clients 8] [--seconds 60] [--url http://127.0.0.1:8787] [--json out.json]
 *
 * Without --url it starts its own `wrangler dev` and stops it afterwards. A 503 `busy` (the
 * pipeline's back-pressure, with Retry-After) is retried as a well-behaved client would and
 * counted apart from errors.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { PhotonImage, SamplingFilter, resize } from "@cf-wasm/photon";
import { startDev, type Dev } from "../bench/workerd";
import { percentile } from "../bench/stats";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const CLIENTS = Number(arg("clients", "8"));
const SECONDS = Number(arg("seconds", "60"));
const REQUEST_TIMEOUT_MS = 120_000;

/** A fixture photo re-encoded at about `megapixels` (JPEG), so sizes are controlled. */
function photoAt(megapixels: number): Uint8Array<ArrayBuffer> {
  const source = PhotonImage.new_from_byteslice(readFileSync("test/fixtures/images/two_dancers.jpg"));
  const scale = Math.sqrt((megapixels * 1e6) / (source.get_width() * source.get_height()));
  const image = resize(source, Math.round(source.get_width() * scale), Math.round(source.get_height() * scale), SamplingFilter.Triangle);
  const bytes = new Uint8Array(image.get_bytes_jpeg(88));
  source.free();
  image.free();
  return bytes;
}

interface Job {
  label: string;
  path: string;
  body: Uint8Array<ArrayBuffer>;
}

function workload(): Job[] {
  const sizes: [string, Uint8Array<ArrayBuffer>][] = [
    ["0.25 MP", photoAt(0.25)],
    ["1 MP", photoAt(1)],
    ["4 MP", photoAt(3.9)],
    ["png 451×300", new Uint8Array(readFileSync("test/fixtures/images/chelsea.png"))],
  ];
  const endpoints = ["/mask", "/remove", "/remove?bg=ffffff&format=jpeg", "/crop?w=256&h=256", "/bbox", "/highlight?style=gray"];
  // Mostly small and ordinary images, as embedded pages send them; a 4 MP photo now and then.
  const weights: Record<string, number> = { "0.25 MP": 3, "1 MP": 3, "4 MP": 1, "png 451×300": 2 };
  const jobs = sizes.flatMap(([size, body]) =>
    endpoints.flatMap((path) => Array.from({ length: weights[size] }, () => ({ label: `${path.split("?")[0]} ${size}`, path, body }))),
  );
  // A fixed shuffle, so every run sends the same mix in the same order.
  for (let i = jobs.length - 1, seed = 42; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
  }
  return jobs;
}

/** Resident memory (kB) of workerd processes descending from `root`. */
function workerdMemoryKb(root: number): number {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
      names.set(Number(entry), name);
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 32; p = parents.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, name] of names) {
    if (!name.startsWith("workerd") || !descends(pid)) continue;
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    total += rss ? Number(rss[1]) : 0;
  }
  return total;
}

interface Sample {
  label: string;
  ms: number;
  status: number;
  code?: string;
}

async function client(base: string, jobs: Job[], offset: number, until: number, samples: Sample[], busy: { count: number }) {
  for (let i = offset; Date.now() < until; i += CLIENTS) {
    const job = jobs[i % jobs.length];
    const started = performance.now();
    for (;;) {
      let status = 0;
      let code: string | undefined;
      try {
        const response = await fetch(base + job.path, { method: "POST", body: job.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        status = response.status;
        if (response.ok) await response.arrayBuffer();
        else {
          const text = await response.text();
          code = text.startsWith("{") ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : text.slice(0, 60);
        }
        if (code === "busy" && Date.now() < until + REQUEST_TIMEOUT_MS) {
          busy.count++;
          await new Promise((r) => setTimeout(r, Number(response.headers.get("retry-after") ?? 1) * 1000));
          continue;
        }
      } catch (error) {
        code = error instanceof Error ? error.name : "fetch failed";
      }
      samples.push({ label: job.label, ms: performance.now() - started, status, code });
      break;
    }
  }
}

async function health(base: string): Promise<{ front: number; segmenter: number }> {
  const body = (await (await fetch(`${base}/health`)).json()) as { memory: { frontWasmBytes: number; segmenterWasmBytes: number } };
  return { front: body.memory.frontWasmBytes, segmenter: body.memory.segmenterWasmBytes };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function main() {
  const jobs = workload();
  const given = arg("url", "");
  let dev: Dev | undefined;
  if (!given) {
    process.stderr.write("starting wrangler dev…\n");
    dev = await startDev(["wrangler.toml", "worker/segmenter/wrangler.toml"], "/health");
  }
  const base = given || dev!.url;
  try {
    // Warm up: every size once through every endpoint, so both workers hold their model session
    // and their WASM high-water marks, and the start figures are a running service's.
    const seen = new Set<string>();
    for (const job of jobs) {
      if (seen.has(job.label)) continue;
      seen.add(job.label);
      await fetch(base + job.path, { method: "POST", body: job.body }).then((r) => r.arrayBuffer());
    }
    const startRss = dev ? workerdMemoryKb(dev.pid) : NaN;
    const startWasm = await health(base);
    process.stderr.write(`${CLIENTS} clients for ${SECONDS} s against ${base}…\n`);

    const samples: Sample[] = [];
    const busy = { count: 0 };
    const began = Date.now();
    const until = began + SECONDS * 1000;
    const rssTimeline: number[] = [];
    const ticker = setInterval(() => {
      const rss = dev ? workerdMemoryKb(dev.pid) : NaN;
      rssTimeline.push(Number(mib(rss * 1024)));
      process.stderr.write(`  ${Math.round((Date.now() - began) / 1000)} s: ${samples.length} answers, workerd RSS ${mib(rss * 1024)} MiB\n`);
    }, 10_000);
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(base, jobs, c, until, samples, busy)));
    clearInterval(ticker);
    const elapsed = (Date.now() - began) / 1000;

    const endRss = dev ? workerdMemoryKb(dev.pid) : NaN;
    const endWasm = await health(base);
    const ok = samples.filter((s) => s.status === 200);
    const errors = samples.filter((s) => s.status !== 200);
    const byError = new Map<string, number>();
    for (const e of errors) byError.set(`${e.status} ${e.code ?? ""}`.trim(), (byError.get(`${e.status} ${e.code ?? ""}`.trim()) ?? 0) + 1);
    const labels = [...new Set(samples.map((s) => s.label))].sort();
    const summary = {
      clients: CLIENTS,
      seconds: Math.round(elapsed),
      answers: samples.length,
      throughputPerSecond: Number((samples.length / elapsed).toFixed(2)),
      latencyMs: { p50: Math.round(percentile(ok.map((s) => s.ms), 50)), p95: Math.round(percentile(ok.map((s) => s.ms), 95)), p99: Math.round(percentile(ok.map((s) => s.ms), 99)) },
      errors: errors.length,
      errorsByStatus: Object.fromEntries(byError),
      busyRetried: busy.count,
      memory: {
        workerdRssMiB: { start: Number(mib(startRss * 1024)), every10s: rssTimeline, end: Number(mib(endRss * 1024)) },
        frontWasmMiB: { start: Number(mib(startWasm.front)), end: Number(mib(endWasm.front)) },
        segmenterWasmMiB: { start: Number(mib(startWasm.segmenter)), end: Number(mib(endWasm.segmenter)) },
      },
      perKind: Object.fromEntries(
        labels.map((label) => {
          const ms = ok.filter((s) => s.label === label).map((s) => s.ms);
          return [label, { n: ms.length, p50: Math.round(percentile(ms, 50)), p95: Math.round(percentile(ms, 95)) }];
        }),
      ),
    };

    console.log(`\n${summary.answers} answers in ${summary.seconds} s from ${CLIENTS} clients: ${summary.throughputPerSecond} per second`);
    console.log(`latency (200s): p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms, p99 ${summary.latencyMs.p99} ms`);
    console.log(`errors: ${summary.errors} ${JSON.stringify(summary.errorsByStatus)}; 503 busy retried: ${summary.busyRetried}`);
    console.log(`workerd RSS: ${summary.memory.workerdRssMiB.start} → ${rssTimeline.join(" → ")} → ${summary.memory.workerdRssMiB.end} MiB (start after warm-up, every 10 s, end)`);
    console.log(`WASM memory: front ${summary.memory.frontWasmMiB.start} → ${summary.memory.frontWasmMiB.end} MiB, segmenter ${summary.memory.segmenterWasmMiB.start} → ${summary.memory.segmenterWasmMiB.end} MiB`);
    console.log("\n| request | n | p50 ms | p95 ms |\n|---|---:|---:|---:|");
    for (const [label, s] of Object.entries(summary.perKind)) console.log(`| ${label} | ${s.n} | ${s.p50} | ${s.p95} |`);
    const out = arg("json", "");
    if (out) writeFileSync(out, JSON.stringify(summary, null, 2) + "\n");
    process.exitCode = summary.errors ? 1 : 0;
  } finally {
    await dev?.stop();
  }
}

await main();
