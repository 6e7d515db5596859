import { drawBoxes } from "../compose";
import { photoPicture } from "../pipeline/job";
import { componentsOfRows } from "../refine";
import type { Effect } from "./effect";

interface BboxOptions {
  /** Smallest component kept, as a fraction of the image area. */
  minArea: number;
}

/**
 * `/bbox`: the boxes of the salient objects (connected regions of the mask at ≥ 128 whose area
 * is at least `min_area` of the image), largest first, as JSON; with `format=` the boxes drawn
 * over the photo instead.
 */
export const bbox: Effect<BboxOptions> = {
  name: "bbox",
  summary: "boxes of the salient objects as JSON, or drawn (format=png|webp|jpeg)",
  parse: (params) => ({ minArea: params.number("min_area", { min: 0, max: 1 }) ?? 0.005 }),
  // Components read the mask's rows a few times; only refine= makes that hold it whole.
  needs: () => ({ rowsAgain: true }),
  render(job, { minArea }, { format }) {
    const { width, height, model } = job;
    job.mask.prepare(job.source, true);
    const boxes = componentsOfRows((y) => job.mask.row(y), width, height)
      .filter((c) => c.area >= minArea * width * height)
      .map((c) => ({ x0: c.x0, y0: c.y0, x1: c.x1, y1: c.y1, area: c.area, confidence: c.sum / c.area / 255 }));
    if (format) {
      const thickness = Math.max(2, Math.round(Math.min(width, height) / 250));
      const picture = photoPicture(job, job.source.opaque, ({ y0, rows, pixels }) => {
        const shifted = boxes.map((b) => ({ ...b, y0: b.y0 - y0, y1: b.y1 - y0 }));
        drawBoxes({ width, height: rows, pixels }, shifted, { thickness });
      });
      return { picture };
    }
    const round = (v: number) => Math.round(v * 1e4) / 1e4;
    return {
      json: {
        width,
        height,
        model,
        boxes: boxes.map((b) => ({
          x: b.x0,
          y: b.y0,
          width: b.x1 - b.x0,
          height: b.y1 - b.y0,
          normalized: { x: round(b.x0 / width), y: round(b.y0 / height), width: round((b.x1 - b.x0) / width), height: round((b.y1 - b.y0) / height) },
          area: b.area,
          confidence: round(b.confidence),
        })),
      },
    };
  },
};
