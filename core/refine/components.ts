/**
 * Connected components of a thresholded mask, as plain data: one object per component and its
 * pixels as horizontal runs, so a component can be measured, painted or erased without a
 * label image the size of the photo.
 */
import { labelRows, rowsOfMask, type MaskRow } from "./labels";

/**
 * A component's pixels as packed `(y, x0, x1)` triples, one per horizontal run (x1 exclusive),
 * in row-major order. Packed in a typed array rather than one object per run: a speckled mask
 * can have millions of runs.
 */
export type Runs = Int32Array;

export interface Component {
  /** Pixel count. */
  area: number;
  /** Bounding box; x1 and y1 are exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Sum of the mask values over the component's pixels: `sum / area` is its mean confidence. */
  sum: number;
  /** The component's pixels, see {@link Runs}. */
  runs: Runs;
}

export interface ComponentOptions {
  /** Label the pixels below the level instead (the background). */
  background?: boolean;
  /** 8 (default) joins diagonal neighbours; 4 joins edge neighbours only. */
  connectivity?: 4 | 8;
}

/**
 * The connected components of the pixels ≥ `level` (8-connected by default), largest area
 * first; equal areas keep the order of their first pixel.
 * @example
 * const [main, ...others] = findComponents(mask, width, height);
 * for (const c of others) if (c.area < main.area / 50) paintRuns(mask, width, c.runs, 0);
 */
export function findComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  level = 128,
  options: ComponentOptions = {},
): Component[] {
  return componentsOfRows(rowsOfMask(mask, width), width, height, level, options);
}

/** The same over rows made on demand (a mask never held whole). */
export function componentsOfRows(rowAt: MaskRow, width: number, height: number, level = 128, options: ComponentOptions = {}): Component[] {
  const l = labelRows(rowAt, width, height, { level, ...options });
  const order = Int32Array.from({ length: l.count }, (_, c) => c).sort(
    (a, b) => l.area[b] - l.area[a] || a - b,
  );
  // All runs live in one buffer, grouped by component in output order; each component views its part.
  const runsOf = new Int32Array(l.count);
  for (let k = 0; k < l.label.length; k++) runsOf[l.label[k]]++;
  const offset = new Int32Array(l.count); // where each component's next triple goes
  let at = 0;
  for (const c of order) {
    offset[c] = at;
    at += runsOf[c] * 3;
  }
  const packed = new Int32Array(at);
  const starts = offset.slice();
  for (let y = 0; y < height; y++) {
    for (let k = l.rowStart[y]; k < l.rowStart[y + 1]; k++) {
      const o = offset[l.label[k]];
      packed[o] = y;
      packed[o + 1] = l.x0[k];
      packed[o + 2] = l.x1[k];
      offset[l.label[k]] = o + 3;
    }
  }
  return Array.from(order, (c) => ({
    area: l.area[c],
    x0: l.boxX0[c],
    y0: l.boxY0[c],
    x1: l.boxX1[c],
    y1: l.boxY1[c],
    sum: l.sum[c],
    runs: packed.subarray(starts[c], starts[c] + runsOf[c] * 3),
  }));
}

/**
 * Sets every pixel of `runs` to `value`: 0 erases a component, 255 paints it solid.
 * @example paintRuns(mask, width, speck.runs, 0);
 */
export function paintRuns(mask: Uint8Array, width: number, runs: Runs, value: number): void {
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const row = runs[i] * width;
    mask.fill(value, row + runs[i + 1], row + runs[i + 2]);
  }
}
