/**
 * Admission to the heavy pipeline. One image is processed at a time per isolate (WASM memory
 * keeps its high-water mark, and the isolate has 128 MB in all); a few more may wait, each
 * holding at most one capped file; past that, new requests are told to come back (503 busy)
 * instead of piling up memory. An answer that streams holds its turn until its last byte.
 */
import { Mutex } from "../../../core/mutex";
import { ApiError } from "../../../core/errors";

const pipeline = new Mutex();
let admitted = 0;

/** What the pipeline hands back: the answer, and when it has finished streaming. */
export interface Admitted<T> {
  value: T;
  done: Promise<unknown>;
}

/**
 * Runs `fetchInput` (network waits do not hold the pipeline) and then `process` under the lock,
 * which is kept until `done` settles.
 * @throws ApiError busy when `maxWaiting` requests are already in.
 */
export async function admit<I, T>(maxWaiting: number, fetchInput: () => Promise<I>, process: (input: I) => Promise<Admitted<T>>): Promise<T> {
  if (admitted > maxWaiting) throw new ApiError("busy");
  admitted++;
  let finished = false;
  const leave = () => {
    if (!finished) admitted--;
    finished = true;
  };
  try {
    let input: I | undefined = await fetchInput();
    return await new Promise<T>((resolve, reject) => {
      void pipeline
        .run(async () => {
          // Hand the input over and drop our reference, so the file can be collected.
          const taken = input as I;
          input = undefined;
          const { value, done } = await process(taken);
          resolve(value);
          await done.catch(() => undefined);
        })
        .catch(reject)
        .finally(leave);
    });
  } catch (error) {
    leave();
    throw error;
  }
}
