/**
 * Output formats: one row each in `ENCODERS`. PNG (libspng's zlib, level 4, Up filter:
 * codecs/png/ENCODING.md) and JPEG (libjpeg-turbo) stream: rows go in band by band and bytes
 * come out as they are ready. WebP (photon's lossless encoder) needs the whole picture and about
 * 13 B a pixel of WASM memory beside it, so it has a pixel cap (README "Limits").
 */
import type { Codecs } from "../codecs";
import type { Picture } from "../effects/effect";
import { ApiError } from "../errors";
import type { Ledger } from "../pipeline/ledger";
import type { RowWriter } from "../codecs/rows";

export type OutputFormat = "png" | "webp" | "jpeg";

interface Encoder {
  mime: string;
  /** Largest picture it takes; unset for the streaming ones. */
  maxPixels?: number;
  /** Only for opaque pictures (no alpha channel in the format). */
  opaqueOnly?: boolean;
  /** Encodes the picture; buffers that grow with it are counted in `ledger`. */
  encode(picture: Picture, codecs: Codecs, ledger: Ledger): AsyncIterable<Uint8Array>;
}

const JPEG_QUALITY = 90;

/** Largest output encoded as WebP within the front worker's memory budget. */
export const MAX_WEBP_PIXELS = 2_097_152;

/** Bands in, encoded bytes out as a row encoder makes them. */
async function* rowChunks(picture: Picture, open: () => RowWriter): AsyncGenerator<Uint8Array> {
  const writer = open();
  try {
    const stride = picture.width * picture.channels;
    for (const band of picture.bands()) {
      const bytes = writer.write(band, band.length / stride);
      if (bytes.length) yield bytes;
    }
    yield writer.finish();
  } finally {
    writer.close();
  }
}

async function* webpChunks(picture: Picture, codecs: Codecs, ledger: Ledger): AsyncGenerator<Uint8Array> {
  const { width, height, channels } = picture;
  const rgba = ledger.bytes(width * height * 4);
  let at = 0;
  for (const band of picture.bands()) {
    if (channels === 4) rgba.set(band, at * 4);
    else for (let i = 0; i < band.length; i++) rgba.set([band[i], band[i], band[i], 255], (at + i) * 4);
    at += band.length / channels;
  }
  yield codecs.encodeWebp({ width, height, pixels: rgba });
}

export const ENCODERS: Record<OutputFormat, Encoder> = {
  png: { mime: "image/png", encode: (p, codecs) => rowChunks(p, () => codecs.png.encode(p.width, p.height, { channels: p.channels })) },
  jpeg: {
    mime: "image/jpeg",
    opaqueOnly: true,
    encode: (p, codecs) => rowChunks(p, () => codecs.jpeg.encode(p.width, p.height, { channels: p.channels, quality: JPEG_QUALITY })),
  },
  webp: { mime: "image/webp", maxPixels: MAX_WEBP_PIXELS, encode: webpChunks },
};

export const OUTPUT_FORMATS = Object.keys(ENCODERS) as OutputFormat[];

/** True when the client's Accept header takes WebP (a cache key varies on this, not on Accept). */
export const acceptsWebp = (accept: string | undefined) => /\bimage\/webp\b/i.test(accept ?? "");

/** The format to answer in: the explicit one, else WebP when accepted and small enough, else PNG. */
export function chooseFormat(requested: OutputFormat | undefined, accept: string | undefined, picture: Picture): OutputFormat {
  const pixels = picture.width * picture.height;
  if (requested === "jpeg" && !picture.opaque) {
    throw new ApiError("invalid_parameter", "format=jpeg needs an opaque result: JPEG has no transparency (use png or webp, or set bg=)");
  }
  const cap = requested && ENCODERS[requested].maxPixels;
  if (cap && pixels > cap) {
    throw new ApiError("image_too_large", `${requested} output is limited to ${cap} pixels at the edge; use max_side= or format=png`);
  }
  if (requested) return requested;
  return acceptsWebp(accept) && pixels <= MAX_WEBP_PIXELS ? "webp" : "png";
}
