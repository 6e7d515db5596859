/** JPEG: libjpeg-turbo's scanline encoder, streamed row by row; opaque pictures only. */
import type { Encoder } from "./encoder";
import { rowChunks } from "./rows";

const JPEG_QUALITY = 90;

export const jpeg: Encoder = {
  mime: "image/jpeg",
  opaqueOnly: true,
  defaultQuality: JPEG_QUALITY,
  encode: (p, codecs, _ledger, { quality = JPEG_QUALITY }) =>
    rowChunks(p, () => codecs.jpeg.encode(p.width, p.height, { channels: p.channels, quality })),
};
