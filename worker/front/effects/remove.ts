import type { Effect } from "./effect";

/**
 * `/remove`: the cutout, the photo with the mask as its alpha. A photo that already had
 * transparency keeps it: the two alphas multiply. Works in place on the decoded pixels.
 */
export const remove: Effect = {
  name: "remove",
  summary: "RGBA PNG cutout, background transparent",
  render: ({ image, mask }) => {
    const { pixels } = image;
    for (let i = 0, a = 3; i < mask.length; i++, a += 4) {
      const source = pixels[a];
      pixels[a] = source === 255 ? mask[i] : Math.round((mask[i] * source) / 255);
    }
    return { pixels, width: image.width, height: image.height, channels: 4 };
  },
};
