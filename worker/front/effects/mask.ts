import type { Effect } from "./effect";

/** `/mask`: the salient mask itself, an 8-bit grey image the size of the photo. */
export const mask: Effect = {
  name: "mask",
  summary: "8-bit grey PNG mask, white = salient object",
  render: ({ mask, image }) => ({ pixels: mask, width: image.width, height: image.height, channels: 1 }),
};
