/**
 * What goes behind the object in a live frame (webcam, video), with the worker's own
 * compositing functions: transparent, a colour, the frame blurred, or an image.
 */
import { blurBackground, fillBackground, imageBackground, parseColor } from "../../../core/compose";
import type { RgbaImage } from "../../../core/image";

export type FrameBackground =
  | { kind: "transparent" }
  | { kind: "color"; color: string }
  | { kind: "blur" }
  | { kind: "image"; image: RgbaImage };

/**
 * Applies `background` behind the object of `frame`, in place.
 * @example applyBackground(frame, mask, { kind: "color", color: "#00ff00" });
 */
export function applyBackground(frame: RgbaImage, mask: Uint8Array, background: FrameBackground): void {
  switch (background.kind) {
    case "transparent": {
      const { pixels } = frame;
      for (let i = 0; i < mask.length; i++) pixels[i * 4 + 3] = (pixels[i * 4 + 3] * mask[i] + 127) / 255;
      return;
    }
    case "color":
      fillBackground(frame, mask, parseColor(background.color) ?? [255, 255, 255, 255]);
      return;
    case "blur":
      // The strength /remove?bg=blur uses: a fortieth of the short side.
      blurBackground(frame, mask, Math.max(2, Math.min(frame.width, frame.height) / 40));
      return;
    case "image":
      imageBackground(frame, mask, background.image);
      return;
  }
}
