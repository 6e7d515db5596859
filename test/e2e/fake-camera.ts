/**
 * A fake camera feed for Chromium (`--use-file-for-fake-video-capture`): a fixture photo as a
 * Y4M (YUV 4:2:0) clip, panning a little from frame to frame so the camera shows real motion.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PhotonImage, SamplingFilter, resize } from "@cf-wasm/photon";

/** BT.601 full-range RGB → YUV, the JPEG convention (`C420jpeg`). */
function toI420(rgba: Uint8Array, width: number, height: number, shift: number): Uint8Array {
  const frame = new Uint8Array((width * height * 3) / 2);
  const chroma = (width / 2) * (height / 2);
  const at = (x: number, y: number) => (y * width + Math.min(width - 1, Math.max(0, x + shift))) * 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = at(x, y);
      frame[y * width + x] = 0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2];
      if (x % 2 || y % 2) continue;
      const c = (y / 2) * (width / 2) + x / 2;
      frame[width * height + c] = 128 - 0.168736 * rgba[p] - 0.331264 * rgba[p + 1] + 0.5 * rgba[p + 2];
      frame[width * height + chroma + c] = 128 + 0.5 * rgba[p] - 0.418688 * rgba[p + 1] - 0.081312 * rgba[p + 2];
    }
  }
  return frame;
}

/**
 * Writes `<dir>/camera.y4m` (`camera-still.y4m` when `still`: every frame the same, so two
 * browsers see the same picture) from `photo` at 640×480, `frames` frames long.
 * @returns the file's path, for the Chromium flag
 */
export async function writeFakeCamera(photo: string, dir: string, frames = 30, still = false): Promise<string> {
  const [width, height] = [640, 480];
  const source = PhotonImage.new_from_byteslice(await readFile(photo));
  const image = resize(source, width, height, SamplingFilter.Triangle);
  const rgba = image.get_raw_pixels();
  source.free();
  image.free();
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`);
  const parts: Uint8Array[] = [header];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from("FRAME\n"), toI420(rgba, width, height, still ? 0 : Math.round(20 * Math.sin((i / frames) * 2 * Math.PI))));
  await mkdir(dir, { recursive: true });
  const path = join(dir, still ? "camera-still.y4m" : "camera.y4m");
  await writeFile(path, Buffer.concat(parts));
  return path;
}
