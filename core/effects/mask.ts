import { maskBands } from "../pipeline/job";
import type { Effect } from "./effect";

/** `/mask`: the salient mask itself, an 8-bit grey image the size of the photo. */
export const mask: Effect<void> = {
  name: "mask",
  summary: "8-bit grey mask, white = salient object",
  parse: () => undefined,
  render: (job) => ({
    picture: {
      width: job.width,
      height: job.height,
      channels: 1,
      opaque: true,
      *bands() {
        for (const band of maskBands(job)) yield band.mask;
      },
    },
  }),
};
