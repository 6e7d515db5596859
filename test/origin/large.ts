/**
 * Camera-sized photos for the tests, made on demand in Node from a real fixture photo and kept
 * on disk (test/artifacts/large) so a run makes each once. The repo holds no large files.
 *
 *   /large/<w>x<h>.jpg               baseline JPEG, quality 90, 4:2:0 (what phones write)
 *   /large/<w>x<h>-progressive.jpg   progressive JPEG
 *   /large/<w>x<h>-o<k>.jpg|png      the photo stored so that EXIF orientation k shows it upright
 *   /large/<w>x<h>.png               8-bit RGB PNG
 *   /large/<w>x<h>-grey.png          8-bit grey PNG
 *   /large/<w>x<h>-16bit.png         16-bit RGB PNG
 *   /wallpaper/<name>.jpg            a real large JPEG from Debian's wallpaper packages
 *
 * Rows are made and encoded band by band (the same streaming resize and encoders the product
 * uses), so even 48 MP never exists whole here; only orientation variants are built whole.
 */
import { PhotonImage } from "@cf-wasm/photon";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { JpegCodec } from "../../core/codecs/jpeg.ts";
import { RowResizer } from "../../core/compose/resize.ts";
import { pngChunks } from "../support/png-compression-stream.ts";
import { sourceIndex, uprightSize, type Orientation } from "../../core/image/orientation.ts";
import { concatBytes } from "../support/bytes.ts";
import { pngWithOrientation, withOrientation } from "../support/exif-writer.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CACHE = join(ROOT, "test/artifacts/large");
const SOURCE = join(ROOT, "test/fixtures/images/juliatrotti_17.jpg");

let codec: JpegCodec | undefined;
// Node compiles WASM from bytes (workerd cannot; this file only ever runs in Node).
const jpegModule = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> }).compile(readFileSync(join(ROOT, "core/codecs/jpeg.wasm")));

/** Upright rows of the fixture scaled to width × height, handed out in bands. */
function* upscaled(width: number, height: number): Generator<Uint8Array> {
  const photo = PhotonImage.new_from_byteslice(readFileSync(SOURCE));
  const [w, h, pixels] = [photo.get_width(), photo.get_height(), photo.get_raw_pixels()];
  photo.free();
  const rows: Uint8Array[] = [];
  const resizer = new RowResizer(w, h, width, height, (row) => rows.push(row.slice()));
  for (let y = 0; y < h; y++) {
    resizer.push(pixels.subarray(y * w * 4, (y + 1) * w * 4));
    while (rows.length >= 64) yield concat(rows.splice(0, 64));
  }
  if (rows.length) yield concat(rows);
}

const concat = concatBytes;

async function encodeJpeg(width: number, height: number, bands: Iterable<Uint8Array>, progressive: boolean): Promise<Uint8Array> {
  codec ??= new JpegCodec(await jpegModule);
  const writer = codec.encode(width, height, { channels: 4, quality: 90, progressive });
  const out: Uint8Array[] = [];
  for (const band of bands) out.push(writer.write(band, band.length / (width * 4)));
  out.push(writer.finish());
  writer.close();
  return concat(out);
}

async function encodePng(width: number, height: number, bands: Iterable<Uint8Array>, channels: 1 | 4): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const part of pngChunks(bands, width, height, channels)) out.push(part);
  return concat(out);
}

function* grey(bands: Iterable<Uint8Array>): Generator<Uint8Array> {
  for (const band of bands) {
    const out = new Uint8Array(band.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * band[i * 4] + 0.587 * band[i * 4 + 1] + 0.114 * band[i * 4 + 2]);
    yield out;
  }
}

/** A 16-bit RGB PNG (each sample v·257 plus a low byte that varies, so the low byte matters). */
function png16(width: number, height: number, bands: Iterable<Uint8Array>): Uint8Array {
  const raw: Uint8Array[] = [];
  for (const band of bands) {
    const rows = band.length / (width * 4);
    for (let r = 0; r < rows; r++) {
      const line = new Uint8Array(1 + width * 6);
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          line[1 + x * 6 + c * 2] = band[(r * width + x) * 4 + c];
          line[2 + x * 6 + c * 2] = (x * 7 + c * 31) & 255;
        }
      }
      raw.push(line);
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, "latin1");
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
    return Buffer.concat([head, data, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(concat(raw))), chunk("IEND", new Uint8Array(0))]);
}

/** The photo stored so that orientation `o` displays it upright (the inverse of what a viewer does). */
function stored(width: number, height: number, o: Orientation): { width: number; height: number; bands: Uint8Array[] } {
  const upright = concat([...upscaled(width, height)]);
  const size = uprightSize(width, height, o); // orientation is its own size swap
  const pixels = new Uint8Array(width * height * 4);
  const at = sourceIndex(o, size.width, size.height);
  for (let uy = 0; uy < height; uy++) {
    for (let ux = 0; ux < width; ux++) {
      const [sx, sy] = at(ux, uy);
      pixels.set(upright.subarray((uy * width + ux) * 4, (uy * width + ux) * 4 + 4), (sy * size.width + sx) * 4);
    }
  }
  return { width: size.width, height: size.height, bands: [pixels] };
}

async function make(name: string): Promise<Uint8Array | null> {
  const match = /^(\d+)x(\d+)(?:-(progressive|grey|16bit|o([1-8])))?\.(jpg|png)$/.exec(name);
  if (!match) return null;
  const [width, height] = [Number(match[1]), Number(match[2])];
  const [kind, o, type] = [match[3], Number(match[4]) as Orientation, match[5]];
  if (o) {
    const s = stored(width, height, o);
    if (type === "jpg") return withOrientation(await encodeJpeg(s.width, s.height, s.bands, false), o);
    return pngWithOrientation(await encodePng(s.width, s.height, s.bands, 4), o);
  }
  if (type === "jpg") return encodeJpeg(width, height, upscaled(width, height), kind === "progressive");
  if (kind === "16bit") return png16(width, height, upscaled(width, height));
  if (kind === "grey") return encodePng(width, height, grey(upscaled(width, height)), 1);
  return encodePng(width, height, upscaled(width, height), 4);
}

/** Serves `/large/<name>`, made once and cached on disk. */
export async function large(name: string): Promise<Response> {
  const file = join(CACHE, name.replace(/[^\w.-]/g, "_"));
  if (existsSync(file)) return new Response(await readFile(file));
  const bytes = await make(name);
  if (!bytes) return new Response("bad name", { status: 400 });
  await mkdir(CACHE, { recursive: true });
  await writeFile(file, bytes);
  return new Response(bytes);
}

/** Real large files from Debian's wallpaper packages (CI installs them): the encoders of the wild. */
export const WALLPAPER_FILES: Record<string, string> = {
  // 5120×2880 baseline JPEG (plasma-workspace-wallpapers).
  SafeLanding: "/usr/share/wallpapers/SafeLanding/contents/images/5120x2880.jpg",
  // 5640×3172 progressive JPEG, 16 MB (mate-backgrounds).
  Elephants: "/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg",
};

/** Serves `/wallpaper/<name>.jpg`, or 404 where its package is not installed. */
export async function wallpaper(name: string): Promise<Response> {
  const file = WALLPAPER_FILES[name.replace(/\.jpg$/, "")];
  return file && existsSync(file) ? new Response(await readFile(file)) : new Response("not installed", { status: 404 });
}

/** Every large file the tests ask for, made before they start (the origin answers within the fetch deadline). */
export const PREPARED = [
  "4032x3024.jpg",
  "6000x4000-progressive.jpg",
  "8000x6000.jpg",
  "4032x3024.png",
  "2400x1600-16bit.png",
  "4032x3024-o6.jpg",
  "8192x6144.jpg",
  "8192x6144-grey.png",
  "6000x4000-o6.jpg",
  "5200x3900-progressive.jpg",
  "5200x3900-o6.jpg",
  "6400x4400-progressive.jpg",
  "2000x1000.jpg",
  "2000x8000.jpg",
  "2000x1000.png",
  "2000x8000.png",
  ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((o) => [`1200x800-o${o}.png`, `1200x800-o${o}.jpg`]),
];

export async function prepareLarge(): Promise<void> {
  for (const name of PREPARED) await (await large(name)).arrayBuffer();
}
