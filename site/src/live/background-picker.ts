/**
 * The background controls shared by the webcam and video pages: a kind (transparent, colour,
 * blur, image), a colour input and an image file input, read as a `FrameBackground`.
 */
import type { FrameBackground } from "../model/backgrounds";
import { decodeBlob } from "../ui/frames";

export interface BackgroundInputs {
  kind: HTMLSelectElement;
  color: HTMLInputElement;
  image: HTMLInputElement;
}

/** Keeps a current `FrameBackground` up to date with the inputs. */
export function backgroundPicker(inputs: BackgroundInputs): { current(): FrameBackground } {
  let image: FrameBackground | undefined;
  let current: FrameBackground = { kind: "transparent" };
  const update = async () => {
    const kind = inputs.kind.value;
    inputs.color.closest("label")!.hidden = kind !== "color";
    inputs.image.closest("label")!.hidden = kind !== "image";
    if (kind === "image") {
      const file = inputs.image.files?.[0];
      if (file) image = { kind: "image", image: await decodeBlob(file) };
      current = image ?? { kind: "color", color: inputs.color.value };
    } else if (kind === "color") current = { kind: "color", color: inputs.color.value };
    else current = kind === "blur" ? { kind: "blur" } : { kind: "transparent" };
  };
  for (const input of [inputs.kind, inputs.color, inputs.image]) input.addEventListener("input", update);
  inputs.image.addEventListener("change", update);
  void update();
  return { current: () => current };
}
