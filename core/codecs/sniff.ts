/**
 * What an image file is, read from its bytes (never from Content-Type), and whether its
 * container is whole, before any decoder sees it. photon aborts (a WASM trap) on truncated or
 * corrupt files and cannot be re-instantiated, and every trap leaks its allocations, so the
 * cheap structural checks here keep almost all bad files away from it.
 */
import { ApiError } from "../errors";

export type ImageFormat = "jpeg" | "png" | "webp";

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const be16 = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const be32 = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const le16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const le24 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const le32 = (b: Uint8Array, i: number) => (le16(b, i) | (le16(b, i + 2) << 16)) >>> 0;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Formats people send that the edge does not decode, named so the 415 says which. */
function unsupportedName(b: Uint8Array): string | null {
  if (ascii(b, 0, 4) === "GIF8") return "GIF";
  if (ascii(b, 0, 2) === "BM") return "BMP";
  if (startsWith(b, [0x49, 0x49, 0x2a, 0]) || startsWith(b, [0x4d, 0x4d, 0, 0x2a])) return "TIFF";
  if (ascii(b, 4, 8) === "ftyp") return "HEIF/AVIF";
  if (startsWith(b, [0, 0, 1, 0])) return "ICO";
  if (ascii(b, 0, 4) === "%PDF") return "PDF";
  const head = ascii(b, 0, Math.min(b.length, 256)).trimStart().toLowerCase();
  if (head.startsWith("<svg") || head.startsWith("<?xml")) return "SVG/XML";
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "HTML";
  return null;
}

const undecodable = (why: string) => new ApiError("undecodable_image", `The image could not be decoded: ${why}`);

function pngInfo(b: Uint8Array): ImageInfo {
  // Walk every chunk: a truncated or cut file has no IEND or a chunk running past the end.
  let at = 8;
  let width = 0;
  let height = 0;
  let sawData = false;
  while (at + 12 <= b.length) {
    const length = be32(b, at);
    const type = ascii(b, at + 4, at + 8);
    if (at + 12 + length > b.length) throw undecodable(`PNG chunk ${type} runs past the end of the file`);
    if (type === "IHDR") {
      if (at !== 8 || length !== 13) throw undecodable("PNG header chunk is malformed");
      width = be32(b, at + 8);
      height = be32(b, at + 12);
    } else if (type === "IDAT") sawData = true;
    else if (type === "IEND") {
      if (!width) throw undecodable("PNG has no header chunk");
      if (!sawData) throw undecodable("PNG has no image data");
      return { format: "png", width, height };
    }
    at += 12 + length;
  }
  throw undecodable("PNG is truncated (no IEND chunk)");
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegInfo(b: Uint8Array): ImageInfo {
  let at = 2;
  let size: { width: number; height: number } | null = null;
  let scanStart = -1;
  while (at + 4 <= b.length && scanStart < 0) {
    if (b[at] !== 0xff) throw undecodable("JPEG marker stream is corrupt");
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = be16(b, at + 2);
    if (length < 2 || at + 2 + length > b.length) throw undecodable("JPEG segment runs past the end of the file");
    if (isStartOfFrame(marker)) {
      if (length < 8) throw undecodable("JPEG frame header is malformed");
      size = { height: be16(b, at + 5), width: be16(b, at + 7) };
    }
    if (marker === 0xda) scanStart = at + 2 + length;
    at += 2 + length;
  }
  if (!size) throw undecodable("JPEG has no frame header");
  // Without scan data a decoder paints a flat grey picture: that is not the photo.
  if (scanStart < 0 || scanStart + 2 > b.length || (b[scanStart] === 0xff && b[scanStart + 1] === 0xd9)) {
    throw undecodable("JPEG has no image data");
  }
  // Scan data follows; a whole file ends with EOI (trailing padding after it is allowed).
  const tail = b.subarray(Math.max(at, b.length - 4096));
  let hasEnd = false;
  for (let i = tail.length - 2; i >= 0 && !hasEnd; i--) hasEnd = tail[i] === 0xff && tail[i + 1] === 0xd9;
  if (!hasEnd) throw undecodable("JPEG is truncated (no end-of-image marker)");
  return { format: "jpeg", ...size };
}

function webpInfo(b: Uint8Array): ImageInfo {
  if (le32(b, 4) + 8 > b.length) throw undecodable("WebP is truncated");
  const chunk = ascii(b, 12, 16);
  const at = 20;
  if (b.length < at + 10) throw undecodable("WebP is truncated");
  if (chunk === "VP8X") return { format: "webp", width: le24(b, at + 4) + 1, height: le24(b, at + 7) + 1 };
  if (chunk === "VP8L") {
    if (b[at] !== 0x2f) throw undecodable("WebP lossless signature missing");
    const bits = le32(b, at + 1);
    return { format: "webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8 ") {
    if (!startsWith(b, [0x9d, 0x01, 0x2a], at + 3)) throw undecodable("WebP key frame signature missing");
    return { format: "webp", width: le16(b, at + 6) & 0x3fff, height: le16(b, at + 8) & 0x3fff };
  }
  throw undecodable(`unknown WebP chunk ${JSON.stringify(chunk)}`);
}

/**
 * Identifies a JPEG, PNG or WebP file and reads its dimensions from the header.
 * @throws ApiError unsupported_media_type (415) or undecodable_image (422)
 * @example const { format, width, height } = sniffImage(bytes);
 */
export function sniffImage(bytes: Uint8Array): ImageInfo {
  if (bytes.length === 0) throw new ApiError("missing_image", "The request body is empty");
  let info: ImageInfo | null = null;
  if (startsWith(bytes, PNG_SIGNATURE)) info = pngInfo(bytes);
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) info = jpegInfo(bytes);
  else if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") info = webpInfo(bytes);
  if (!info) {
    const name = unsupportedName(bytes);
    throw new ApiError("unsupported_media_type", name ? `${name} is not supported: send JPEG, PNG or WebP` : undefined);
  }
  if (info.width === 0 || info.height === 0) throw undecodable(`its header says ${info.width}×${info.height}`);
  return info;
}
