/**
 * The largest JS working set any request of this isolate has held, as the pipeline counted
 * it (its Ledger): with the codecs' WASM memories, the figure the memory budget is about.
 */
import type { Ledger } from "../../../core/pipeline/ledger";

let peak = 0;

export function noteLedger(ledger: Ledger): void {
  peak = Math.max(peak, ledger.peak);
}

export const pipelinePeakBytes = () => peak;
