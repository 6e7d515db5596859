import { highlight as compose, type HighlightStyle } from "../compose";
import { rgbaResult, type Effect } from "./effect";

interface HighlightOptions {
  style: HighlightStyle;
  strength: number;
}

/** `/highlight`: the salient object kept, the background dimmed, greyed or blurred. */
export const highlight: Effect<HighlightOptions> = {
  name: "highlight",
  summary: "background dimmed, desaturated or blurred (style=dim|gray|blur, strength=0..1)",
  parse: (params) => ({
    style: params.oneOf("style", ["dim", "gray", "blur"] as const) ?? "dim",
    strength: params.number("strength", { min: 0, max: 1 }) ?? 0.7,
  }),
  render({ image, mask }, { style, strength }) {
    compose(image, mask, style, strength);
    return rgbaResult(image);
  },
};
