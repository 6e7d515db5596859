import { highlightBlur, highlightRows, type HighlightStyle } from "../compose";
import { photoPicture } from "../pipeline/job";
import { BAND_ROWS } from "../pipeline/mask-bands";
import { backdropRows } from "../pipeline/preview";
import type { Effect } from "./effect";

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
  needs: ({ style }) => ({ preview: style === "blur" }),
  render(job, { style, strength }) {
    const { width, height } = job;
    const toward = style === "blur" ? backdropRows(job.preview(), highlightBlur(width, height), width, height, job.ledger) : null;
    const behind = toward ? job.ledger.bytes(width * 4 * BAND_ROWS) : null;
    const picture = photoPicture(job, job.source.opaque, ({ rows, pixels, mask }) => {
      if (toward && behind) toward.read(behind, rows);
      highlightRows(pixels, mask, style, strength, behind);
    });
    return { picture };
  },
};
