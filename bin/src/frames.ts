/**
 * `frames`: raw rgb24 video frames on stdin, each cut out by the next free thread, written to
 * stdout in order as raw rgba (rgb24 when an opaque `--bg` fills the background):
 *
 *   ffmpeg -i in.mp4 -f rawvideo -pix_fmt rgb24 - | edge-u2net frames --size 640x360 | ffmpeg -f rawvideo -pix_fmt rgba -s 640x360 …
 *
 * `--realtime`: when every thread is busy with the model, a frame is composed at once with
 * that thread's latest mask instead of waiting for a model run (for live sources).
 */
import { UsageError, type Args } from "./args.ts";
import type { Outcome } from "./messages.ts";
import { readRequest } from "./pipeline.ts";
import type { Pool } from "./pool.ts";

function frameSize(raw: unknown): { width: number; height: number } {
  const match = typeof raw === "string" ? /^(\d+)x(\d+)$/.exec(raw) : null;
  const [width, height] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!(width >= 1 && height >= 1 && width * height <= 50_000_000)) throw new UsageError("frames: --size WxH, e.g. --size 640x360");
  return { width, height };
}

/** Splits stdin into frames of `bytes` each (a short last frame is an error). */
async function* framesOf(bytes: number): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(bytes);
  let filled = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(bytes - filled, chunk.length - at);
      frame.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === bytes) {
        yield frame;
        frame = new Uint8Array(bytes);
        filled = 0;
      }
    }
  }
  if (filled) throw new Error(`stdin ended inside a frame (${filled} of ${bytes} bytes): is --size right?`);
}

const write = (bytes: Uint8Array) => new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));

export async function runFrames(args: Args, jobs: number, startPool: (effect: string) => Promise<Pool>): Promise<number> {
  const { width, height } = frameSize(args.own.size);
  const request = readRequest("remove", new URLSearchParams(args.query)); // checks --bg and the mask options first
  if (request.format && request.format !== "auto") throw new UsageError("frames: raw frames have no --format");
  const realtime = args.own.realtime === true;
  const pool = await startPool("frames");
  const inFlight: Promise<Outcome>[] = [];
  let modelRuns = 0;
  let count = 0;
  let reused = 0;
  const started = performance.now();
  // Frames in order: the oldest is written as soon as it is done; at most 2 per thread wait.
  const drain = async (keep: number) => {
    while (inFlight.length > keep) {
      const outcome = await inFlight.shift()!;
      if (!outcome.ok) throw new Error(`frame ${outcome.id}: ${outcome.error.message}`);
      await write(outcome.bytes!);
    }
  };
  try {
    for await (const pixels of framesOf(width * height * 3)) {
      const reuse = realtime && count > 0 && modelRuns >= jobs;
      if (reuse) reused++;
      else modelRuns++;
      const task = pool.run({ kind: "frame", id: count++, pixels, width, height, reuse }, [pixels.buffer as ArrayBuffer]);
      inFlight.push(reuse ? task : task.finally(() => modelRuns--));
      await drain(2 * jobs - 1);
    }
    await drain(0);
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`frames: ${count} of ${width}x${height} in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)} fps)${realtime ? `, ${reused} with a reused mask` : ""}\n`);
  return 0;
}
