/**
 * From a file's bytes to a source of upright rows, in two steps: `inspect` reads only headers
 * (format, size, EXIF orientation, progressive or interlaced, alpha), so every limit can be
 * checked before any pixel is decoded; `openPhoto` then sets up the decoding passes.
 */
import type { Codecs } from "../codecs";
import { readOrientation, type Orientation } from "../codecs/exif";
import { sniffImage, type ImageFormat } from "../codecs/sniff";
import { uprightSize } from "../image/orientation";
import type { Ledger } from "./ledger";
import { decodedSource, imageSource, upright, uprightBufferBytes, type ImageSource } from "./sources";

export interface Inspection {
  format: ImageFormat;
  /** Size as stored in the file. */
  storedWidth: number;
  storedHeight: number;
  orientation: Orientation;
  /** Size as shown (orientation applied): every answer and coordinate is in this frame. */
  width: number;
  height: number;
  /** No alpha channel or transparent colour. */
  opaque: boolean;
  /** A progressive JPEG (its decoder keeps every DCT coefficient). */
  progressive: boolean;
  /** An Adam7 PNG (decoded whole before its first row). */
  interlaced: boolean;
  /** WebAssembly bytes the decoder keeps beyond a few rows: coefficients, an interlaced PNG, a WebP. */
  decoderBytes: number;
  /** JS bytes held to turn the photo upright (rotations and vertical flips buffer it). */
  uprightBytes: number;
}

/** photon's WebP decode: about 14 bytes of WASM memory a pixel (README "Limits"). */
const WEBP_BYTES_PER_PIXEL = 14;

/** Whether a PNG can hold transparency: an alpha channel, or a tRNS chunk before its data. */
function pngHasAlpha(bytes: Uint8Array, colorType: number): boolean {
  if (colorType === 4 || colorType === 6) return true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === "tRNS") return true;
    if (type === "IDAT") return false;
    at += 12 + view.getUint32(at);
  }
  return false;
}

/**
 * Reads what the limits need from the headers alone (throws ApiError / CodecError on bad
 * files). `checkSize` sees the upright size before any decoder reads a header, so a bomb is
 * refused as too large, whatever else is wrong with it.
 */
export function inspect(bytes: Uint8Array, codecs: Codecs, checkSize: (size: { width: number; height: number }) => void = () => {}): Inspection {
  const info = sniffImage(bytes);
  const orientation = readOrientation(bytes);
  const size = uprightSize(info.width, info.height, orientation);
  checkSize(size);
  let opaque = true;
  let progressive = false;
  let interlaced = false;
  let decoderBytes = 0;
  if (info.format === "jpeg") {
    const header = codecs.jpeg.readHeader(bytes);
    progressive = header.progressive;
    if (progressive) decoderBytes = header.coefficientBytes;
  } else if (info.format === "png") {
    const header = codecs.png.readHeader(bytes);
    opaque = !pngHasAlpha(bytes, header.colorType);
    interlaced = header.interlaced;
    decoderBytes = header.bufferedBytes;
  } else {
    opaque = false; // known only after decoding; assume alpha
    decoderBytes = info.width * info.height * WEBP_BYTES_PER_PIXEL;
  }
  return {
    format: info.format,
    storedWidth: info.width,
    storedHeight: info.height,
    orientation,
    width: size.width,
    height: size.height,
    opaque,
    progressive,
    interlaced,
    decoderBytes,
    uprightBytes: uprightBufferBytes(info.width, info.height, opaque, orientation),
  };
}

/** The photo's upright rows, decoded again for each pass. */
export function openPhoto(bytes: Uint8Array, inspection: Inspection, codecs: Codecs, ledger: Ledger): ImageSource {
  const { format, storedWidth: width, storedHeight: height, opaque } = inspection;
  let stored: ImageSource;
  if (format === "jpeg") {
    // libjpeg is told its own cap, so a lying header cannot make it take more than was planned.
    const maxMemory = inspection.decoderBytes + (8 << 20);
    stored = decodedSource(width, height, true, (scale) => codecs.jpeg.decode(bytes, { scale: scale as 1 | 2 | 4 | 8, maxMemory }), [1, 2, 4, 8]);
  } else if (format === "png") {
    stored = decodedSource(width, height, opaque, () => codecs.png.decode(bytes, { maxBuffered: inspection.decoderBytes }));
  } else {
    const image = codecs.decodeWebp(bytes);
    ledger.take(image.pixels.byteLength);
    stored = imageSource(image, false);
  }
  return upright(stored, inspection.orientation, ledger);
}
