/**
 * Pixels in and out of canvases, as the worker's `RgbaImage` (the compositing and model code
 * take that shape).
 */
import type { RgbaImage } from "../../../core/image";

type Drawable = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | ImageBitmap;

/** Draws `source` at `width`×`height` on `canvas` and reads the pixels back. */
export function grabFrame(source: Drawable, canvas: HTMLCanvasElement, width: number, height: number): RgbaImage {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  context.clearRect(0, 0, width, height);
  context.drawImage(source, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  return { width, height, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Paints `image` on `canvas`, resizing the canvas to it. */
export function paintFrame(image: RgbaImage, canvas: HTMLCanvasElement): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const pixels = new Uint8ClampedArray(image.pixels.buffer as ArrayBuffer, image.pixels.byteOffset, image.pixels.byteLength);
  canvas.getContext("2d")!.putImageData(new ImageData(pixels, image.width, image.height), 0, 0);
}

/** Scales `width`×`height` down so the longer side is at most `limit`. */
export function fitWithin(width: number, height: number, limit: number): { width: number; height: number } {
  const scale = Math.min(1, limit / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Decodes an image file or blob to pixels (for a background image). */
export async function decodeBlob(blob: Blob, limit = 1280): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(blob);
  const size = fitWithin(bitmap.width, bitmap.height, limit);
  const image = grabFrame(bitmap, document.createElement("canvas"), size.width, size.height);
  bitmap.close();
  return image;
}
