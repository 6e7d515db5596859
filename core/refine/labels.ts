/**
 * Run-based connected-component labelling: each row is cut into horizontal runs of selected
 * pixels, runs that touch a run of the row above are joined with union-find, and every
 * statistic is gathered per run. Memory is O(runs) and O(components), never O(pixels): an
 * upsampled mask has a handful of runs per row, so a 4 MP mask costs a few kilobytes.
 *
 * This is the typed core that `components.ts` and `cleanup.ts` share; it creates no objects
 * per run or per component.
 */

export interface LabelOptions {
  /** Pixels with a value ≥ level are selected (or < level with `background`). */
  level: number;
  /** Select the pixels below `level` instead. */
  background?: boolean;
  /** 8 joins diagonal neighbours too; 4 joins only edge neighbours. */
  connectivity?: 4 | 8;
}

/** Column coordinates: 16 bits while the width allows it, halving the cost per run. */
export type Columns = Uint16Array | Int32Array;

export interface Labelling {
  width: number;
  height: number;
  /** Row y's runs are `rowStart[y] .. rowStart[y + 1] - 1`. */
  rowStart: Int32Array;
  /** First column of each run. */
  x0: Columns;
  /** One past the last column of each run. */
  x1: Columns;
  /** Component of each run, numbered in order of each component's first pixel. */
  label: Int32Array;
  /** Number of components. */
  count: number;
  /** Per component: pixel count. */
  area: Int32Array;
  /** Per component: bounding box, x1 and y1 exclusive. */
  boxX0: Int32Array;
  boxY0: Int32Array;
  boxX1: Int32Array;
  boxY1: Int32Array;
  /** Per component: sum of the mask values over its pixels. */
  sum: Float64Array;
  /** Per component: index of its first run (in row-major order), the run at row `boxY0`. */
  firstRun: Int32Array;
}

/** A 256-entry table: 1 where a mask value is selected, so scanning needs no branch on options. */
function selection(level: number, background: boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Number(v >= level !== background);
  return table;
}

/**
 * Scans one row for runs of selected pixels; calls `emit(x0, x1)` for each.
 * Returns the number of runs.
 */
function scanRow(
  row: Uint8Array,
  width: number,
  on: Uint8Array,
  emit?: (x0: number, x1: number) => void,
): number {
  let runs = 0;
  let x = 0;
  while (x < width) {
    while (x < width && !on[row[x]]) x++;
    if (x === width) break;
    const start = x;
    while (x < width && on[row[x]]) x++;
    runs++;
    emit?.(start, x);
  }
  return runs;
}

/** Row `y` of a mask, `width` bytes: a view into a whole mask, or a row made on demand. */
export type MaskRow = (y: number) => Uint8Array;

/** Rows of a whole mask in memory. */
export const rowsOfMask = (mask: Uint8Array, width: number): MaskRow => (y) => mask.subarray(y * width, (y + 1) * width);

/**
 * Labels the connected components of the selected pixels of `mask`.
 * @example const { count, area } = labelRuns(mask, 640, 480, { level: 128 });
 */
export function labelRuns(mask: Uint8Array, width: number, height: number, options: LabelOptions): Labelling {
  if (mask.length < width * height) throw new RangeError("mask is smaller than width × height");
  return labelRows(rowsOfMask(mask, width), width, height, options);
}

/**
 * The same over rows asked for one at a time (each row is read three times, in order), so a
 * mask that is never held whole can be labelled in O(runs) memory.
 */
export function labelRows(rowAt: MaskRow, width: number, height: number, options: LabelOptions): Labelling {
  const on = selection(options.level, options.background ?? false);
  // Runs touching diagonally are joined under 8-connectivity: widen the overlap test by one.
  const reach = (options.connectivity ?? 8) === 8 ? 1 : 0;

  // A first pass counts the runs so the arrays are allocated once, at their exact size.
  const rowStart = new Int32Array(height + 1);
  for (let y = 0; y < height; y++) rowStart[y + 1] = rowStart[y] + scanRow(rowAt(y), width, on);
  const runs = rowStart[height];
  const x0: Columns = width < 65536 ? new Uint16Array(runs) : new Int32Array(runs);
  const x1: Columns = width < 65536 ? new Uint16Array(runs) : new Int32Array(runs);
  // Union-find parents; later reused, in place, for the component labels.
  const parent = new Int32Array(runs);

  const find = (i: number) => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]]; // path halving
    return i;
  };
  let next = 0;
  const emit = (a: number, b: number) => {
    x0[next] = a;
    x1[next] = b;
    parent[next] = next;
    next++;
  };
  for (let y = 0; y < height; y++) {
    scanRow(rowAt(y), width, on, emit);
    if (y === 0) continue;
    // Both rows' runs are sorted by column: walk them together.
    let j = rowStart[y - 1];
    const prevEnd = rowStart[y];
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      while (j < prevEnd && x1[j] + reach <= x0[k]) j++;
      // j is not advanced past runs that overlap k: they may overlap k's right neighbour too.
      for (let m = j; m < prevEnd && x0[m] < x1[k] + reach; m++) {
        const a = find(m);
        const b = find(k);
        // The smaller index stays the root, so a root is always its component's first run.
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
      }
    }
  }

  // Every non-root points to a smaller index, so one ascending sweep can turn parents into
  // labels: when run i is reached, its parent's slot already holds the parent's label.
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const p = parent[i];
    parent[i] = p === i ? count++ : parent[p];
  }
  const label = parent;

  const area = new Int32Array(count);
  const boxX0 = new Int32Array(count).fill(width);
  const boxY0 = new Int32Array(count);
  const boxX1 = new Int32Array(count);
  const boxY1 = new Int32Array(count);
  const sum = new Float64Array(count);
  const firstRun = new Int32Array(count);
  for (let y = 0; y < height; y++) {
    const row = rowStart[y] < rowStart[y + 1] ? rowAt(y) : undefined;
    for (let k = rowStart[y]; k < rowStart[y + 1]; k++) {
      const c = label[k];
      const a = x0[k];
      const b = x1[k];
      if (area[c] === 0) {
        firstRun[c] = k;
        boxY0[c] = y;
      }
      area[c] += b - a;
      if (a < boxX0[c]) boxX0[c] = a;
      if (b > boxX1[c]) boxX1[c] = b;
      boxY1[c] = y + 1;
      let s = 0;
      for (let i = a; i < b; i++) s += row![i];
      sum[c] += s;
    }
  }
  return { width, height, rowStart, x0, x1, label, count, area, boxX0, boxY0, boxX1, boxY1, sum, firstRun };
}

/** Whether component `c` has a pixel on the image border. */
export function touchesBorder(l: Labelling, c: number): boolean {
  return l.boxX0[c] === 0 || l.boxY0[c] === 0 || l.boxX1[c] === l.width || l.boxY1[c] === l.height;
}
