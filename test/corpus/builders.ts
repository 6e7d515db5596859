/**
 * Hostile files, built from scratch or from real fixture photos. Deterministic: a seeded
 * generator, so a failing case can be rebuilt from its name.
 */
import { concatBytes } from "../support/bytes";

/** A seeded byte generator (a linear congruential one: enough to look like noise). */
export function randomBytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export const text = (s: string) => new TextEncoder().encode(s);

export const concat = (...parts: Uint8Array[]) => concatBytes(parts);

/** A syntactically whole PNG (IHDR, one IDAT, IEND) declaring any size. */
export function pngDeclaring(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(8 + 25 + 14 + 12);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer);
  const chunk = (at: number, type: string, length: number) => {
    view.setUint32(at, length);
    for (let i = 0; i < 4; i++) bytes[at + 4 + i] = type.charCodeAt(i);
  };
  chunk(8, "IHDR", 13);
  view.setUint32(16, width >>> 0);
  view.setUint32(20, height >>> 0);
  bytes.set([8, 6, 0, 0, 0], 24);
  chunk(33, "IDAT", 2);
  chunk(47, "IEND", 0);
  return bytes;
}

/** A JPEG whose frame header declares any size: valid markers, a scan header, a little data, EOI. */
export function jpegDeclaring(width: number, height: number, marker = 0xc0): Uint8Array {
  const frame = [0xff, marker, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0];
  const scan = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34];
  return new Uint8Array([0xff, 0xd8, ...frame, ...scan, 0xff, 0xd9]);
}

/** A WebP (extended, VP8X) whose canvas declares any size up to 2^24 per side. */
export function webpDeclaring(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(30);
  bytes.set(text("RIFF"), 0);
  new DataView(bytes.buffer).setUint32(4, 22, true);
  bytes.set(text("WEBPVP8X"), 8);
  new DataView(bytes.buffer).setUint32(16, 10, true);
  const le24 = (at: number, v: number) => bytes.set([v & 255, (v >> 8) & 255, (v >> 16) & 255], at);
  le24(24, width - 1);
  le24(27, height - 1);
  return bytes;
}

/** Where a JPEG's entropy-coded data starts (just past the SOS header). */
export function jpegScanStart(jpeg: Uint8Array): number {
  let sos = 2;
  while (!(jpeg[sos] === 0xff && jpeg[sos + 1] === 0xda)) sos++;
  return sos + 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
}

/** A real JPEG's headers followed by random entropy-coded data: passes every structural check, fails in the decoder. */
export function jpegWithGarbageScan(jpeg: Uint8Array, seed = 7): Uint8Array {
  const scan = randomBytes(4000, seed).map((b) => (b === 0xff ? 0xfe : b));
  return concat(jpeg.subarray(0, jpegScanStart(jpeg)), scan, new Uint8Array([0xff, 0xd9]));
}

/** `bytes` with `count` seeded single-byte changes inside [from, to). */
export function mutate(bytes: Uint8Array, seed: number, count: number, from: number, to: number): Uint8Array {
  const out = bytes.slice();
  const noise = randomBytes(count * 2, seed);
  for (let i = 0; i < count; i++) {
    const at = from + (((noise[2 * i] << 8) | noise[2 * i + 1]) % Math.max(1, to - from));
    out[at] ^= 1 + (noise[2 * i + 1] % 255);
  }
  return out;
}
