import type { Effect } from "./effect";

/** `/mask`: the salient mask itself, an 8-bit grey image the size of the photo. */
export const mask: Effect<void> = {
  name: "mask",
  summary: "8-bit grey mask, white = salient object",
  parse: () => undefined,
  render: ({ mask, image }) => ({ image: { pixels: mask, width: image.width, height: image.height, channels: 1, opaque: true } }),
};
