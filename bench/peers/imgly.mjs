/**
 * Peer: @imgly/background-removal-node (ISNet at 1024×1024 on onnxruntime-node, every core).
 * Run by bench/run.ts in a child process so its memory is its own:
 *
 *   node bench/peers/imgly.mjs <model small|medium> <masks dir> <photo>...
 *
 * For each photo: `removeBackground` to a PNG cutout (what `/remove` returns), timed; the
 * cutout's alpha against the reference mask (MAE, IoU at 128). The first photo also pays for
 * session creation (reported as cold). Prints one JSON object on stdout.
 */
import { readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { removeBackground } from "@imgly/background-removal-node";

const [model, masksDir, ...photos] = process.argv.slice(2);
const publicPath = pathToFileURL(join(import.meta.dirname, "node_modules/@imgly/background-removal-node/dist/")).href;

async function alphaOf(png) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const alpha = new Uint8Array(info.width * info.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = data[i * info.channels + 3];
  return alpha;
}

async function greyOf(png) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels];
  return grey;
}

function compare(mask, reference) {
  let abs = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    abs += Math.abs(mask[i] - reference[i]);
    const a = mask[i] >= 128;
    const b = reference[i] >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return { mae: abs / mask.length / 255, iou: union ? inter / union : 1 };
}

const rows = [];
for (const photo of photos) {
  const bytes = readFileSync(photo);
  const start = performance.now();
  const blob = await removeBackground(new Blob([bytes], { type: photo.endsWith(".png") ? "image/png" : "image/jpeg" }), {
    model,
    publicPath,
    output: { format: "image/png" },
  });
  const png = Buffer.from(await blob.arrayBuffer());
  const ms = performance.now() - start;
  const reference = await greyOf(readFileSync(join(masksDir, `${basename(photo, extname(photo))}.png`)));
  rows.push({ photo: basename(photo), ms, ...compare(await alphaOf(png), reference) });
}
process.stdout.write(JSON.stringify({ model, rows, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\n");
