/** The contract every output format's file fills in (one row each in `ENCODERS`, index.ts). */
import type { Codecs } from "../codecs";
import type { Picture } from "../effects/effect";
import type { Ledger } from "../pipeline/ledger";

/** What the request asked of the encoder. */
export interface EncodeSettings {
  /** `quality=1..100`; undefined = the format's default. 100 = lossless for WebP. */
  quality?: number;
}

/**
 * Memory a whole-picture encoder needs for a picture of `n` pixels: its WebAssembly memory
 * grows to `wasmBase + perPixel·n` (`losslessPerPixel` at quality=100) and never shrinks;
 * `jsPerPixel·n` more is held in JS while it runs (the RGBA copy handed in and the bytes handed
 * back). Measured, with margin for emscripten's growth steps: docs/formats.md.
 */
export interface EncoderMemory {
  wasmBase: number;
  perPixel: number;
  losslessPerPixel: number;
  jsPerPixel: number;
}

/** quality=100 asks WebP for lossless. */
export const LOSSLESS_QUALITY = 100;

export interface Encoder {
  mime: string;
  /** Largest picture it takes (whole-picture encoders); unset for the streaming ones. */
  maxPixels?: number;
  /** Set for whole-picture encoders: what they hold (see `EncoderMemory`). */
  memory?: EncoderMemory;
  /** Only for opaque pictures (no alpha channel in the format). */
  opaqueOnly?: boolean;
  /** The quality used without `quality=`; unset for lossless-only formats. */
  defaultQuality?: number;
  /** Encodes the picture; buffers that grow with it are counted in `ledger`. */
  encode(picture: Picture, codecs: Codecs, ledger: Ledger, settings: EncodeSettings): AsyncIterable<Uint8Array>;
}
