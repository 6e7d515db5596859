/**
 * The EXIF orientation of a JPEG, PNG or WebP, read from the file header only. Untrusted bytes:
 * every read is bounds-checked, offsets are unsigned 32-bit values held in JS numbers (exact,
 * so sums cannot wrap), and anything malformed, absent or out of range reads as 1 — the way
 * browsers treat a broken EXIF block: it never breaks the image. Runtime-neutral (plain bytes).
 *
 * Work is bounded by the header: container walks stop at the image data (JPEG SOS, PNG IDAT),
 * hop by declared lengths and always advance (at worst one linear pass over junk bytes); only
 * IFD0 is read, next-IFD links are never followed, so loops cannot happen; an IFD's entry
 * count is trusted only as far as the bytes go.
 */

/** EXIF orientation (TIFF tag 0x0112): 1 is upright, 2–8 mirror and/or rotate. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;
/** "Exif\0\0": the JPEG APP1 identifier; some PNG/WebP writers put it in front of the TIFF too. */
const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];

export function readOrientation(bytes: Uint8Array): Orientation {
  let tiff: Uint8Array | undefined;
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) tiff = jpegExif(bytes);
  else if (startsWith(bytes, 0, PNG_SIGNATURE)) tiff = pngExif(bytes);
  else if (startsWith(bytes, 0, RIFF) && startsWith(bytes, 8, WEBP)) tiff = webpExif(bytes);
  return tiff ? tiffOrientation(tiff) : 1;
}

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (at < 0 || at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
// Multiplication, not `<<`, for the top byte: `<<` would make offsets ≥ 2^31 negative.
const u32be = (b: Uint8Array, at: number) => b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
const u32le = (b: Uint8Array, at: number) => b[at + 3] * 0x1000000 + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);

/** A TIFF block given without the "Exif\0\0" prefix, or with it (tolerated in PNG and WebP). */
const stripExifId = (data: Uint8Array) => (startsWith(data, 0, EXIF_ID) ? data.subarray(EXIF_ID.length) : data);

/** JPEG (after SOI): the first APP1 segment that starts "Exif\0\0", among those before SOS. */
function jpegExif(b: Uint8Array): Uint8Array | undefined {
  let pos = 2;
  while (pos + 2 <= b.length) {
    if (b[pos] !== 0xff) {
      pos += 1; // junk where a marker belongs: libjpeg skips it (with a warning), so do we
      continue;
    }
    const marker = b[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // SOS / EOI: no EXIF past here
    // Markers without a length: TEM, RSTn, a stray SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    if (pos + 4 > b.length) return undefined;
    const length = u16be(b, pos + 2); // counts itself, not the marker
    if (length < 2) return undefined; // would not advance past its own header
    const end = pos + 2 + length;
    if (end > b.length) return undefined; // truncated segment: the decoder would not have it either
    if (marker === 0xe1 && length >= 8 && startsWith(b, pos + 4, EXIF_ID)) return b.subarray(pos + 4 + EXIF_ID.length, end);
    pos = end; // ≥ 4 bytes further
  }
  return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const type4 = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const IDAT = type4("IDAT");
const IEND = type4("IEND");
const EXIF_PNG = type4("eXIf");

/** PNG: an eXIf chunk before the first IDAT (the only place a decoder can act on it). */
function pngExif(b: Uint8Array): Uint8Array | undefined {
  let pos = 8;
  while (pos + 8 <= b.length) {
    const length = u32be(b, pos);
    if (length > 0x7fffffff) return undefined; // the PNG limit; larger is corrupt
    const end = pos + 12 + length; // length, type, data, CRC
    if (end > b.length) return undefined;
    if (startsWith(b, pos + 4, IDAT) || startsWith(b, pos + 4, IEND)) return undefined;
    if (startsWith(b, pos + 4, EXIF_PNG)) return stripExifId(b.subarray(pos + 8, pos + 8 + length));
    pos = end; // ≥ 12 bytes further
  }
  return undefined;
}

const RIFF = type4("RIFF");
const WEBP = type4("WEBP");
const VP8X = type4("VP8X");
const EXIF_WEBP = type4("EXIF");

/**
 * WebP: the EXIF chunk of an extended (VP8X) file. It comes after the image data, so the walk
 * hops chunk headers (by their sizes) to the end of the RIFF: O(chunks), no data is read.
 */
function webpExif(b: Uint8Array): Uint8Array | undefined {
  if (!startsWith(b, 12, VP8X)) return undefined; // simple formats carry no metadata
  const riffEnd = Math.min(b.length, 8 + u32le(b, 4));
  let pos = 12;
  while (pos + 8 <= riffEnd) {
    const size = u32le(b, pos + 4);
    const end = pos + 8 + size;
    if (end > riffEnd) return undefined;
    if (startsWith(b, pos, EXIF_WEBP)) return stripExifId(b.subarray(pos + 8, end));
    pos = end + (size & 1); // chunks are padded to even sizes; ≥ 8 bytes further
  }
  return undefined;
}

/** The orientation in IFD0 of a TIFF block (offsets are relative to its start). */
function tiffOrientation(t: Uint8Array): Orientation {
  if (t.length < 8) return 1;
  let little: boolean;
  if (t[0] === 0x49 && t[1] === 0x49) little = true; // "II"
  else if (t[0] === 0x4d && t[1] === 0x4d) little = false; // "MM"
  else return 1;
  const u16 = (at: number) => (little ? t[at] | (t[at + 1] << 8) : u16be(t, at));
  const u32 = (at: number) => (little ? u32le(t, at) : u32be(t, at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  // Below 8 the IFD would overlap the header; past the end there is nothing to read.
  if (ifd < 8 || ifd + 2 > t.length) return 1;
  const count = u16(ifd);
  // The count is trusted only as far as whole entries fit: at most 65535 steps, fewer in practice.
  for (let i = 0, at = ifd + 2; i < count && at + 12 <= t.length; i++, at += 12) {
    if (u16(at) !== ORIENTATION_TAG) continue;
    // SHORT, count 1: the value sits in the entry's first two value bytes.
    if (u16(at + 2) !== SHORT || u32(at + 4) !== 1) return 1;
    const value = u16(at + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}
