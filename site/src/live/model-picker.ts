/** The model choice of the webcam and video pages: the models the worker ships, the default first. */
import { browserModels } from "../model/browser-segmenter";

/** Fills `select` with the models; returns the chosen id whenever asked. */
export function modelPicker(select: HTMLSelectElement): () => string {
  for (const model of browserModels()) select.add(new Option(model.id, model.id));
  return () => select.value;
}
