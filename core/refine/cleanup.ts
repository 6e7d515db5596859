/**
 * Mask clean-up: drops small foreground islands and fills small background holes.
 *
 * The mask is soft, so a region is decided on its core (the pixels past the threshold) but
 * removed with its soft fringe: the fringe is the component of a looser threshold around the
 * core, cleared only when every core inside it is being removed. A fringe that also touches a
 * kept region (a speck joined to the object by a faint bridge) keeps all but the removed core.
 *
 * Its decisions are runs to paint (`Paint`), so it also works on a mask never held whole: the
 * rows are read on demand, and the paint is applied to each row as it streams out.
 */
import { labelRows, rowsOfMask, touchesBorder, type Labelling, type LabelOptions, type MaskRow } from "./labels";

export interface CleanupOptions {
  /** Islands smaller than this fraction of the largest component's area are dropped. Default 0.02. */
  minIslandRatio?: number;
  /** Holes smaller than this fraction of the image area are filled. Default 0.01. */
  maxHoleRatio?: number;
  /** Threshold between background and object. Default 128. */
  level?: number;
}

/**
 * Cleans a mask in place: foreground islands (8-connected) below `minIslandRatio` of the
 * largest component are set to 0, and background holes (4-connected, the usual dual of
 * 8-connected foreground) that do not touch the border and are below `maxHoleRatio` of the
 * image are set to 255. The largest component is always kept.
 * @example
 * cleanup(mask, photo.width, photo.height); // defaults: islands < 2 %, holes < 1 %
 */
export function cleanup(mask: Uint8Array, width: number, height: number, options: CleanupOptions = {}): void {
  const rows = cleanupRows(rowsOfMask(mask, width), width, height, options);
  for (let y = 0; y < height; y++) mask.set(rows(y), y * width);
}

/**
 * The cleaned mask's rows, from the original's rows (read several times, in order, never held
 * whole). Memory: the runs of the regions removed or filled.
 */
export function cleanupRows(rowAt: MaskRow, width: number, height: number, options: CleanupOptions = {}): MaskRow {
  const minIslandRatio = options.minIslandRatio ?? 0.02;
  const maxHoleRatio = options.maxHoleRatio ?? 0.01;
  const level = options.level ?? 128;

  const islands = removeRegions(
    rowAt,
    width,
    height,
    { level, connectivity: 8 },
    { level: Math.max(1, level >> 3), connectivity: 8 },
    (l) => {
      let largest = 0;
      for (let c = 1; c < l.count; c++) if (l.area[c] > l.area[largest]) largest = c;
      const minArea = minIslandRatio * l.area[largest];
      return (c) => c !== largest && l.area[c] < minArea;
    },
    0,
  );
  // On the mask without its islands: a speck inside a hole no longer splits the hole.
  const withoutIslands = painted(rowAt, width, islands);
  const holes = removeRegions(
    withoutIslands,
    width,
    height,
    { level, background: true, connectivity: 4 },
    { level: 255 - ((255 - level) >> 3), background: true, connectivity: 4 },
    (l) => (c) => !touchesBorder(l, c) && l.area[c] < maxHoleRatio * width * height,
    255,
  );
  return painted(withoutIslands, width, holes);
}

/** Runs to set to one value, grouped by row: row y's runs are `x0/x1[rowStart[y] .. rowStart[y + 1]]`. */
interface Paint {
  value: number;
  rowStart: Int32Array;
  x0: Int32Array;
  x1: Int32Array;
}

/** Rows of `rowAt` with `paint` applied (one scratch row, valid until the next call). */
function painted(rowAt: MaskRow, width: number, paint: Paint | null): MaskRow {
  if (!paint) return rowAt;
  const scratch = new Uint8Array(width);
  return (y) => {
    const from = paint.rowStart[y];
    const to = paint.rowStart[y + 1];
    if (from === to) return rowAt(y);
    scratch.set(rowAt(y));
    for (let k = from; k < to; k++) scratch.fill(paint.value, paint.x0[k], paint.x1[k]);
    return scratch;
  };
}

/**
 * The runs to set to `value`: the components of `core` that `rule` picks, and the components of
 * the looser `fringe` that hold picked cores and no other. Null when nothing is picked.
 */
function removeRegions(
  rowAt: MaskRow,
  width: number,
  height: number,
  core: LabelOptions,
  fringe: LabelOptions,
  rule: (l: Labelling) => (c: number) => boolean,
  value: number,
): Paint | null {
  const cores = labelRows(rowAt, width, height, core);
  if (cores.count === 0) return null;
  const drop = rule(cores);
  const removed = new Uint8Array(cores.count);
  let goneCount = 0;
  for (let c = 0; c < cores.count; c++) goneCount += removed[c] = Number(drop(c));
  if (goneCount === 0) return null;

  // Each core is known by its first pixel's index, y * width + x; components are numbered
  // in the order of their first pixel, so both lists come out sorted.
  const kept = new Int32Array(cores.count - goneCount);
  const gone = new Int32Array(goneCount);
  for (let c = 0, k = 0, g = 0; c < cores.count; c++) {
    const first = cores.boxY0[c] * width + cores.x0[cores.firstRun[c]];
    if (removed[c]) gone[g++] = first;
    else kept[k++] = first;
  }
  const fringes = labelRows(rowAt, width, height, fringe);
  const hasKept = new Uint8Array(fringes.count);
  const hasGone = new Uint8Array(fringes.count);
  forEachRun(fringes, (y, a, b, c) => {
    if (containsAny(kept, y * width + a, y * width + b)) hasKept[c] = 1;
    if (containsAny(gone, y * width + a, y * width + b)) hasGone[c] = 1;
  });
  // Both labellings list their runs row by row: merge them into one paint, rows in order.
  const counts = new Int32Array(height + 1);
  forEachRun(fringes, (y, _a, _b, c) => void (hasGone[c] && !hasKept[c] && counts[y + 1]++));
  forEachRun(cores, (y, _a, _b, c) => void (removed[c] && counts[y + 1]++));
  for (let y = 0; y < height; y++) counts[y + 1] += counts[y];
  const rowStart = counts.slice();
  const x0 = new Int32Array(counts[height]);
  const x1 = new Int32Array(counts[height]);
  const add = (y: number, a: number, b: number) => {
    x0[counts[y]] = a;
    x1[counts[y]++] = b;
  };
  forEachRun(fringes, (y, a, b, c) => void (hasGone[c] && !hasKept[c] && add(y, a, b)));
  forEachRun(cores, (y, a, b, c) => void (removed[c] && add(y, a, b)));
  return { value, rowStart, x0, x1 };
}

function forEachRun(l: Labelling, visit: (y: number, x0: number, x1: number, c: number) => void): void {
  for (let y = 0; y < l.height; y++) {
    for (let k = l.rowStart[y]; k < l.rowStart[y + 1]; k++) visit(y, l.x0[k], l.x1[k], l.label[k]);
  }
}

/** Whether the sorted list holds a value in [from, to). */
function containsAny(sorted: Int32Array, from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] < to;
}
