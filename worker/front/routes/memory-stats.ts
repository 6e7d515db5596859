/**
 * The largest JS working set any request of this isolate has held, as the pipeline counted
 * it (its Ledger): with the codecs' WASM memories, the figure the memory budget is about.
 */
import type { Ledger } from "../../../core/pipeline/ledger";

let peak = 0;
let last = 0;

export function noteLedger(ledger: Ledger): void {
  last = ledger.peak;
  peak = Math.max(peak, last);
}

export const pipelinePeakBytes = () => peak;

/** The last finished request's own peak. */
export const pipelineLastBytes = () => last;
