/**
 * Admission to the heavy pipeline. One image is processed at a time per isolate (WASM memory
 * keeps its high-water mark, and the isolate has 128 MB in all); a few more may wait, each
 * holding at most one capped file; past that, new requests are told to come back (503 busy)
 * instead of piling up memory.
 */
import { Mutex } from "../../shared/mutex";
import { ApiError } from "../errors";

const pipeline = new Mutex();
let admitted = 0;

/**
 * Runs `fetchInput` (network waits do not hold the pipeline) and then `process` under the lock.
 * @throws ApiError busy when `maxWaiting` requests are already in.
 */
export async function admit<I, T>(maxWaiting: number, fetchInput: () => Promise<I>, process: (input: I) => Promise<T>): Promise<T> {
  if (admitted > maxWaiting) throw new ApiError("busy");
  admitted++;
  try {
    let input: I | undefined = await fetchInput();
    return await pipeline.run(() => {
      // Hand the input over and drop our reference, so a decoded file can be collected.
      const taken = input as I;
      input = undefined;
      return process(taken);
    });
  } finally {
    admitted--;
  }
}
