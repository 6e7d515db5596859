/** Helpers the encoders share: row encoders fed band by band, whole encoders fed one RGBA copy. */
import type { Picture } from "../effects/effect";
import type { Ledger } from "../pipeline/ledger";
import type { RowWriter } from "../codecs/rows";

/** Bands in, encoded bytes out as a row encoder makes them. */
export async function* rowChunks(picture: Picture, open: () => RowWriter): AsyncGenerator<Uint8Array> {
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

/** The whole picture as RGBA (grey spread to RGB, opaque), counted in `ledger` until released. */
function wholeRgba(picture: Picture, ledger: Ledger): Uint8Array {
  const { width, height, channels } = picture;
  const rgba = ledger.bytes(width * height * 4);
  let at = 0;
  for (const band of picture.bands()) {
    if (channels === 4) rgba.set(band, at * 4);
    else {
      for (let i = 0; i < band.length; i++) {
        const o = (at + i) * 4;
        rgba[o] = rgba[o + 1] = rgba[o + 2] = band[i];
        rgba[o + 3] = 255;
      }
    }
    at += band.length / channels;
  }
  return rgba;
}

/** A whole-picture encoder's answer: the picture as RGBA through `encode`, counted while it runs. */
export async function* wholeChunks(picture: Picture, ledger: Ledger, encode: (rgba: Uint8Array) => Promise<Uint8Array>): AsyncGenerator<Uint8Array> {
  const rgba = wholeRgba(picture, ledger);
  try {
    yield await encode(rgba);
  } finally {
    ledger.release(rgba);
  }
}
