/**
 * Mask measures written independently of the product's code, so tests do not check the
 * product against itself.
 */

export interface Region {
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** 8-connected regions of pixels ≥ level, by plain flood fill, largest first. */
export function regions(mask: Uint8Array, width: number, height: number, level = 128): Region[] {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const found: Region[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || mask[start] < level) continue;
    const r = { area: 0, x0: width, y0: height, x1: 0, y1: 0 };
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top) {
      const p = stack[--top];
      const x = p % width;
      const y = (p - x) / width;
      r.area++;
      r.x0 = Math.min(r.x0, x);
      r.y0 = Math.min(r.y0, y);
      r.x1 = Math.max(r.x1, x + 1);
      r.y1 = Math.max(r.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (!seen[q] && mask[q] >= level) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    found.push(r);
  }
  return found.sort((a, b) => b.area - a.area);
}

/** The tight box of every pixel ≥ level. */
export function boundingBox(mask: Uint8Array, width: number, level = 128): Region | null {
  const all = { area: 0, x0: Infinity, y0: Infinity, x1: -1, y1: -1 };
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] < level) continue;
    const x = i % width;
    const y = (i - x) / width;
    all.area++;
    all.x0 = Math.min(all.x0, x);
    all.y0 = Math.min(all.y0, y);
    all.x1 = Math.max(all.x1, x + 1);
    all.y1 = Math.max(all.y1, y + 1);
  }
  return all.area ? all : null;
}

/** Boundary pixels of the thresholded mask: inside, with a 4-neighbour outside. */
function boundary(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i] < 128) continue;
      const outside = (xx: number, yy: number) => xx < 0 || yy < 0 || xx >= width || yy >= height || mask[yy * width + xx] < 128;
      if (outside(x - 1, y) || outside(x + 1, y) || outside(x, y - 1) || outside(x, y + 1)) out[i] = 1;
    }
  }
  return out;
}

/** Marks every pixel within `r` (Chebyshev distance) of a set pixel. */
function dilate(map: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const rows = new Uint8Array(map.length);
  for (let y = 0; y < height; y++) {
    // Two sweeps per row: distance to the nearest set pixel left and right.
    let left = -Infinity;
    for (let x = 0; x < width; x++) {
      if (map[y * width + x]) left = x;
      if (x - left <= r) rows[y * width + x] = 1;
    }
    let right = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if (map[y * width + x]) right = x;
      if (right - x <= r) rows[y * width + x] = 1;
    }
  }
  const out = new Uint8Array(map.length);
  for (let x = 0; x < width; x++) {
    let up = -Infinity;
    for (let y = 0; y < height; y++) {
      if (rows[y * width + x]) up = y;
      if (y - up <= r) out[y * width + x] = 1;
    }
    let down = Infinity;
    for (let y = height - 1; y >= 0; y--) {
      if (rows[y * width + x]) down = y;
      if (down - y <= r) out[y * width + x] = 1;
    }
  }
  return out;
}

/**
 * Boundary F-measure: the share of each mask's boundary lying within a tolerance of the
 * other's (0.75% of the image diagonal, as in the DAVIS benchmark), combined as F1.
 */
export function boundaryF(actual: Uint8Array, expected: Uint8Array, width: number, height: number): number {
  const tolerance = Math.max(1, Math.round(0.0075 * Math.hypot(width, height)));
  const a = boundary(actual, width, height);
  const b = boundary(expected, width, height);
  const nearA = dilate(a, width, height, tolerance);
  const nearB = dilate(b, width, height, tolerance);
  let aHits = 0;
  let aCount = 0;
  let bHits = 0;
  let bCount = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]) (aCount++, nearB[i] && aHits++);
    if (b[i]) (bCount++, nearA[i] && bHits++);
  }
  if (!aCount && !bCount) return 1;
  const precision = aCount ? aHits / aCount : 0;
  const recall = bCount ? bHits / bCount : 0;
  return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
}
