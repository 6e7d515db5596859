/**
 * The bytes table for output formats (docs/formats.md): cutouts of fixture photos (the photo
 * with its reference mask as alpha, colour 0 under alpha 0, as /remove makes them) at 1 and
 * 4 MP, and one at 12 MP for time and memory, encoded by the product's own encoders
 * (core/encode) as PNG, lossless WebP, lossy WebP and AVIF at their default quality. For each:
 * bytes and share of the PNG's, encode time, the encoder's WebAssembly memory (a fresh instance
 * per case, so the figure is what that picture makes it grow to), SSIM of the result composited
 * over mid-grey against the PNG's (luma, bench/ssim.ts), and alpha MAE.
 *
 * Alone: `npx tsx bench/formats.ts` (Markdown on stdout). Environment: BENCH_FORMAT_PHOTOS
 * (comma list of fixture photos), BENCH_FORMAT_SIZES (MP list, default 1,4,12), BENCH_FORMAT_SWEEP
 * (e.g. `avif:40,50,60;webp:70,80,90`: more qualities, for choosing the defaults).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import avifFactory from "@jsquash/avif/codec/enc/avif_enc.js";
import decodeAvif, { init as initAvifDecoder } from "@jsquash/avif/decode.js";
import webpFactory from "@jsquash/webp/codec/enc/webp_enc_simd.js";
import decodeWebp, { init as initWebpDecoder } from "@jsquash/webp/decode.js";
import type { Codecs } from "../core/codecs";
import { JpegCodec } from "../core/codecs/jpeg";
import { PngCodec } from "../core/codecs/png";
import type { Picture } from "../core/effects/effect";
import { ENCODERS, type OutputFormat } from "../core/encode";
import { WholeEncoder, type EncoderFactory } from "../core/encode/whole-encoder";
import { Ledger } from "../core/pipeline/ledger";
import { MASKS, baseName, photo } from "./masks";
import { lumaOver, ssim } from "./ssim";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");
const MiB = 2 ** 20;
const compile = (file: string) => new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(readFileSync(join(ROOT, file)));
const modules = {
  jpeg: compile("core/codecs/jpeg.wasm"),
  png: compile("core/codecs/png.wasm"),
  avif: compile("node_modules/@jsquash/avif/codec/enc/avif_enc.wasm"),
  webp: compile("node_modules/@jsquash/webp/codec/enc/webp_enc_simd.wasm"),
};

export const DEFAULT_PHOTOS = ["480112-637286191695715805-16x9.jpg", "juliatrotti_17.jpg", "two_dancers.jpg"];

export interface FormatCase {
  label: string;
  format: OutputFormat;
  quality?: number;
}

export interface FormatRow extends FormatCase {
  photo: string;
  width: number;
  height: number;
  bytes: number;
  /** Bytes over the PNG's of the same cutout. */
  share: number;
  encodeMs: number;
  /** The whole-picture encoder's WebAssembly memory after the encode (fresh instance), and its growth. */
  wasmBytes: number;
  wasmGrowth: number;
  ssim: number;
  /** Mean |alpha − PNG alpha|, 0..255. */
  alphaMae: number;
}

/** The cases at the defaults: PNG, lossless WebP (quality=100), lossy WebP, AVIF. */
export function defaultCases(): FormatCase[] {
  return [
    { label: "PNG", format: "png" },
    { label: "WebP lossless", format: "webp", quality: 100 },
    { label: `WebP q${ENCODERS.webp.defaultQuality} (default)`, format: "webp" },
    { label: `AVIF q${ENCODERS.avif.defaultQuality} (default)`, format: "avif" },
  ];
}

function sweepCases(spec: string | undefined): FormatCase[] {
  if (!spec) return [];
  return spec.split(";").flatMap((part) => {
    const [format, levels] = part.split(":") as [OutputFormat, string];
    return levels.split(",").map((q) => ({ label: `${format === "avif" ? "AVIF" : "WebP"} q${q}`, format, quality: Number(q) }));
  });
}

/** A fixture photo's cutout at about `megapixels`, straight alpha from its reference mask. */
export function cutout(file: string, megapixels: number): { width: number; height: number; rgba: Uint8Array } {
  const source = readFileSync(join(ROOT, "test/fixtures/images", file));
  const { rgba: original } = photo(source);
  const scale = Math.sqrt((megapixels * 1e6) / (original.width * original.height));
  const width = Math.round(original.width * scale);
  const height = Math.round(original.height * scale);
  const { rgba } = photo(source, width, height);
  const mask = photo(readFileSync(join(ROOT, MASKS, `${baseName(file)}.png`)), width, height).rgba.pixels;
  const pixels = rgba.pixels;
  for (let i = 0; i < width * height; i++) {
    const a = mask[i * 4];
    pixels[i * 4 + 3] = a;
    if (a === 0) pixels[i * 4] = pixels[i * 4 + 1] = pixels[i * 4 + 2] = 0;
  }
  return { width, height, rgba: pixels };
}

/** Fresh codecs per case: the whole-picture encoders' memory is then this picture's. */
function freshCodecs(): Codecs {
  const jpeg = new JpegCodec(modules.jpeg);
  const png = new PngCodec(modules.png);
  const avif = new WholeEncoder(avifFactory as EncoderFactory, modules.avif);
  const webp = new WholeEncoder(webpFactory as EncoderFactory, modules.webp);
  const notHere = (): never => {
    throw new Error("no WebP input in this bench");
  };
  return { jpeg, png, avif, webp, decodeWebp: notHere, wasmBytes: () => avif.memoryBytes() + webp.memoryBytes() };
}

const asPicture = (width: number, height: number, rgba: Uint8Array): Picture => ({ width, height, channels: 4, opaque: false, bands: () => [rgba] });

let decoders: Promise<unknown> | undefined;
async function decodeRgba(format: OutputFormat, bytes: Uint8Array): Promise<Uint8Array> {
  decoders ??= Promise.all([
    initAvifDecoder(compile("node_modules/@jsquash/avif/codec/dec/avif_dec.wasm")),
    initWebpDecoder(compile("node_modules/@jsquash/webp/codec/dec/webp_dec.wasm")),
  ]);
  await decoders;
  if (format === "png") return photo(bytes).rgba.pixels;
  const image = format === "avif" ? await decodeAvif(bytes.slice().buffer) : await decodeWebp(bytes.slice().buffer);
  if (!image) throw new Error(`${format}: not decodable`);
  return new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
}

async function encodeCase(c: FormatCase, width: number, height: number, rgba: Uint8Array) {
  const codecs = freshCodecs();
  const encoder = ENCODERS[c.format];
  // The instance is made before the clock starts (first use), so the time is the encode's.
  if (c.format === "avif" || c.format === "webp") await codecs[c.format].encode(new Uint8Array(4 * 16 * 16), 16, 16, {}).catch(() => undefined);
  const before = c.format === "avif" || c.format === "webp" ? codecs[c.format].memoryBytes() : 0;
  const started = performance.now();
  const parts: Uint8Array[] = [];
  for await (const part of encoder.encode(asPicture(width, height, rgba), codecs, new Ledger(), { quality: c.quality })) parts.push(part.slice());
  const encodeMs = performance.now() - started;
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  const wasmBytes = c.format === "avif" || c.format === "webp" ? codecs[c.format].memoryBytes() : codecs.png.peakBytes();
  return { bytes, encodeMs, wasmBytes, wasmGrowth: wasmBytes - before };
}

function alphaMae(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 3; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]);
  return sum / (a.length / 4);
}

/** Runs every case on every photo and size; logs progress to stderr. */
export async function benchFormats(
  photos = (process.env.BENCH_FORMAT_PHOTOS?.split(",") ?? DEFAULT_PHOTOS),
  sizes = (process.env.BENCH_FORMAT_SIZES ?? "1,4,12").split(",").map(Number),
): Promise<FormatRow[]> {
  const cases = [...defaultCases(), ...sweepCases(process.env.BENCH_FORMAT_SWEEP)];
  // Warm-up: V8 tiers each WASM module up on first use; the table times the steady state.
  const warm = cutout(photos[0], 0.25);
  for (const c of cases.slice(1, 4)) await encodeCase(c, warm.width, warm.height, warm.rgba);
  const rows: FormatRow[] = [];
  for (const size of sizes) {
    // 12 MP: time and memory on one photo only.
    for (const file of size > 4 ? photos.slice(0, 1) : photos) {
      const { width, height, rgba } = cutout(file, size);
      const reference = lumaOver(rgba);
      let pngBytes = 0;
      for (const c of cases) {
        console.error(`formats: ${file} ${width}×${height} ${c.label}…`);
        const { bytes, encodeMs, wasmBytes, wasmGrowth } = await encodeCase(c, width, height, rgba);
        if (c.format === "png") pngBytes = bytes.length;
        const decoded = await decodeRgba(c.format, bytes);
        rows.push({
          ...c,
          photo: file,
          width,
          height,
          bytes: bytes.length,
          share: bytes.length / pngBytes,
          encodeMs,
          wasmBytes,
          wasmGrowth,
          ssim: ssim(reference, lumaOver(decoded), width, height),
          alphaMae: alphaMae(decoded, rgba),
        });
      }
    }
  }
  return rows;
}

/** The table, one line per photo, size and case. */
export function formatsTable(rows: FormatRow[]): string[] {
  return [
    "| photo | size | format | bytes | of PNG | encode | WASM after (growth) | SSIM over grey | alpha MAE |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.photo.slice(0, 24)} | ${r.width}×${r.height} (${((r.width * r.height) / 1e6).toFixed(1)} MP) | ${r.label} | ${(r.bytes / 1024).toFixed(0)} KiB | ${(r.share * 100).toFixed(1)} % | ${Math.round(r.encodeMs)} ms | ${(r.wasmBytes / MiB).toFixed(1)} MiB (+${(r.wasmGrowth / MiB).toFixed(1)}) | ${r.ssim.toFixed(4)} | ${r.alphaMae.toFixed(2)} |`,
    ),
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(formatsTable(await benchFormats()).join("\n"));
}
