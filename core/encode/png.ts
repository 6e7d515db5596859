/** PNG: libspng's zlib (level 4, Up filter: codecs/png/ENCODING.md), streamed row by row. */
import type { Encoder } from "./encoder";
import { rowChunks } from "./rows";

export const png: Encoder = {
  mime: "image/png",
  encode: (p, codecs) => rowChunks(p, () => codecs.png.encode(p.width, p.height, { channels: p.channels })),
};
