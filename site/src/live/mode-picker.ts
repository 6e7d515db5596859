/** The mode choice of the webcam and video pages (model/browser-models.ts), `initial` selected. */
import { BROWSER_MODES, type ModeId } from "../model/browser-models";

/** Fills `select` with the modes; returns the chosen mode whenever asked. */
export function modePicker(select: HTMLSelectElement, initial: ModeId): () => ModeId {
  for (const mode of Object.values(BROWSER_MODES)) select.add(new Option(mode.label, mode.id, false, mode.id === initial));
  return () => select.value as ModeId;
}
