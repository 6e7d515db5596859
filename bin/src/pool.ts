/**
 * N worker threads, one task each at a time, the rest queued. Every thread loads its own
 * model session (one ORT thread): images run in parallel on every core, where one session
 * with many threads leaves most of them idle on a 320×320 model (rembg #708, #805).
 */
import { Worker } from "node:worker_threads";
import type { FromWorker, Outcome, Task, WorkerSetup } from "./messages.ts";
import type { RuntimeName } from "./runtime.ts";

type Pending = { task: Task; transfer: ArrayBuffer[]; settle: (outcome: Outcome) => void };

export class Pool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly workers: Worker[] = [];

  private constructor(readonly runtime: RuntimeName) {}

  /** Starts `size` threads and waits until each has its model loaded. */
  static async start(size: number, setup: WorkerSetup): Promise<Pool> {
    const pool = new Pool(setup.runtime);
    const script = new URL("./worker.mjs", import.meta.url);
    await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = new Worker(script, { workerData: setup });
        pool.workers.push(worker);
        await new Promise<void>((resolve, reject) => {
          worker.once("error", reject);
          worker.once("message", (message: FromWorker) => ("failed" in message ? reject(new Error(message.failed)) : resolve()));
        });
        worker.on("message", (message: FromWorker) => pool.finished(worker, message as Outcome));
        worker.on("error", (error) => pool.crashed(worker, error));
        pool.idle.push(worker);
      }),
    ).catch(async (error) => {
      await pool.close();
      throw error;
    });
    return pool;
  }

  /** Runs a task on the next free thread. */
  run(task: Task, transfer: ArrayBuffer[] = []): Promise<Outcome> {
    return new Promise((settle) => {
      this.queue.push({ task, transfer, settle });
      this.next();
    });
  }

  /** Tasks waiting or running. */
  get busy(): number {
    return this.queue.length + this.running.size;
  }

  get size(): number {
    return this.workers.length;
  }

  private next(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const pending = this.queue.shift()!;
      this.running.set(worker, pending);
      worker.postMessage(pending.task, pending.transfer);
    }
  }

  private finished(worker: Worker, outcome: Outcome): void {
    const pending = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    pending?.settle(outcome);
    this.next();
  }

  /** A thread that died takes its image with it as a failure; the others carry on. */
  private crashed(worker: Worker, error: Error): void {
    const pending = this.running.get(worker);
    this.running.delete(worker);
    pending?.settle({ id: pending.task.id, ok: false, error: { code: "internal_error", message: `worker thread died: ${error.message}` } });
    this.next();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
