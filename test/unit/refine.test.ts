import { describe, expect, it } from "vitest";
import { cleanup, feather, findComponents, guidedRefine, paintRuns, threshold } from "../../core/refine";

/** A width × height mask with `value(x, y)` at each pixel. */
function draw(width: number, height: number, value: (x: number, y: number) => number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = value(x, y);
  return mask;
}

/** Whether the pixel centre (x + ½, y + ½) is inside a disc. */
const inDisc = (cx: number, cy: number, r: number) => (x: number, y: number) =>
  (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r;

/** Whether (x, y) is in the box [x0, x1) × [y0, y1). */
const inBox = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) =>
  x >= x0 && x < x1 && y >= y0 && y < y1;

/** Number of pixels of a w × h image that satisfy `test`. */
function count(width: number, height: number, test: (x: number, y: number) => boolean): number {
  let n = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) n += Number(test(x, y));
  return n;
}

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Sum of |a − b| over all pixels, in units of full-scale pixels. */
function error(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / 255;
}

/** Component areas by flood fill, largest first: the obvious algorithm, to check the run-based one. */
function floodAreas(mask: Uint8Array, width: number, height: number, on: (v: number) => boolean, diagonal: boolean) {
  const seen = new Uint8Array(width * height);
  const areas: number[] = [];
  const steps = diagonal
    ? [[-1, -1], [0, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [0, 1], [1, 1]]
    : [[0, -1], [-1, 0], [1, 0], [0, 1]];
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || !on(mask[start])) continue;
    seen[start] = 1;
    const stack = [start];
    let area = 0;
    while (stack.length) {
      const i = stack.pop()!;
      area++;
      const x = i % width;
      const y = (i - x) / width;
      for (const [dx, dy] of steps) {
        const u = x + dx;
        const v = y + dy;
        const j = v * width + u;
        if (u >= 0 && u < width && v >= 0 && v < height && !seen[j] && on(mask[j])) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    areas.push(area);
  }
  return areas.sort((a, b) => b - a);
}

describe("findComponents", () => {
  it("measures rectangles and a disc exactly, largest first", () => {
    const [w, h] = [120, 80];
    const big = inBox(10, 5, 50, 35); // 40 × 30
    const small = inBox(70, 60, 75, 70); // 5 × 10, value 200
    const disc = inDisc(90, 25, 12.3);
    const mask = draw(w, h, (x, y) => (big(x, y) || disc(x, y) ? 255 : small(x, y) ? 200 : 0));
    const found = findComponents(mask, w, h);
    expect(found.map((c) => c.area)).toEqual([1200, count(w, h, disc), 50]);
    expect(found.map((c) => [c.x0, c.y0, c.x1, c.y1])).toEqual([
      [10, 5, 50, 35],
      [78, 13, 102, 37], // the disc's pixels: centres within 12.3 of (90, 25)
      [70, 60, 75, 70],
    ]);
    expect(found.map((c) => c.sum / c.area)).toEqual([255, 255, 200]);
    const runPixels = (runs: Int32Array) => {
      let n = 0;
      for (let i = 0; i < runs.length; i += 3) n += runs[i + 2] - runs[i + 1];
      return n;
    };
    expect(found.map((c) => runPixels(c.runs))).toEqual(found.map((c) => c.area));
  });

  it("selects pixels at or above the level", () => {
    const mask = Uint8Array.from([0, 127, 128, 0, 200, 255, 0, 0, 50]);
    expect(findComponents(mask, 9, 1).map((c) => c.area)).toEqual([2, 1]);
    expect(findComponents(mask, 9, 1, 50).map((c) => c.area)).toEqual([2, 2, 1]);
    expect(findComponents(mask, 9, 1, 256)).toEqual([]);
  });

  it("joins squares that touch at a corner under 8-connectivity only", () => {
    const a = inBox(2, 2, 6, 6);
    const b = inBox(6, 6, 10, 10);
    const mask = draw(12, 12, (x, y) => (a(x, y) || b(x, y) ? 255 : 0));
    const eight = findComponents(mask, 12, 12);
    expect(eight).toHaveLength(1);
    expect(eight[0]).toMatchObject({ area: 32, x0: 2, y0: 2, x1: 10, y1: 10 });
    expect(findComponents(mask, 12, 12, 128, { connectivity: 4 }).map((c) => c.area)).toEqual([16, 16]);
  });

  it("merges arms that only meet at the bottom (U and comb shapes)", () => {
    // A U: two arms, two runs per row, joined by the last rows.
    const [left, right, bottom] = [inBox(1, 1, 4, 10), inBox(8, 1, 11, 10), inBox(1, 10, 11, 12)];
    const u = (x: number, y: number) => left(x, y) || right(x, y) || bottom(x, y);
    // A comb: four teeth that are separate until the spine; the spine joins them one by one.
    const comb = (x: number, y: number) => (y >= 14 && y < 20 && x % 3 === 1 && x < 12) || inBox(0, 20, 12, 21)(x, y);
    const mask = draw(12, 22, (x, y) => (u(x, y) || comb(x, y) ? 255 : 0));
    const found = findComponents(mask, 12, 22);
    expect(found.map((c) => c.area)).toEqual([count(12, 22, u), count(12, 22, comb)]);
    expect(found.map((c) => [c.x0, c.y0, c.x1, c.y1])).toEqual([
      [1, 1, 11, 12],
      [0, 14, 12, 21],
    ]);
  });

  it("agrees with a flood fill on random specks, in both connectivities and for the background", () => {
    const next = random(11);
    const [w, h] = [97, 61];
    const mask = draw(w, h, () => (next() < 0.45 ? 255 : next() < 0.5 ? 130 : 40));
    const areas = (options: Parameters<typeof findComponents>[4]) =>
      findComponents(mask, w, h, 128, options).map((c) => c.area);
    expect(areas({})).toEqual(floodAreas(mask, w, h, (v) => v >= 128, true));
    expect(areas({ connectivity: 4 })).toEqual(floodAreas(mask, w, h, (v) => v >= 128, false));
    expect(areas({ background: true, connectivity: 4 })).toEqual(floodAreas(mask, w, h, (v) => v < 128, false));
  });

  it("labels the background: a ring's outside and its hole", () => {
    const outer = inDisc(30, 30, 20);
    const inner = inDisc(30, 30, 8);
    const mask = draw(60, 60, (x, y) => (outer(x, y) && !inner(x, y) ? 255 : 0));
    const holes = findComponents(mask, 60, 60, 128, { background: true, connectivity: 4 });
    expect(holes.map((c) => c.area)).toEqual([60 * 60 - count(60, 60, outer), count(60, 60, inner)]);
    expect([holes[0].x0, holes[0].y0, holes[0].x1, holes[0].y1]).toEqual([0, 0, 60, 60]);
  });

  it("paints and erases a component through its runs", () => {
    const a = inDisc(20, 20, 10);
    const b = inBox(40, 5, 55, 12);
    const mask = draw(60, 40, (x, y) => (a(x, y) || b(x, y) ? 255 : 0));
    const [disc, box] = findComponents(mask, 60, 40);
    paintRuns(mask, 60, box.runs, 0);
    expect(mask).toEqual(draw(60, 40, (x, y) => (a(x, y) ? 255 : 0)));
    paintRuns(mask, 60, box.runs, 255);
    paintRuns(mask, 60, disc.runs, 0);
    expect(mask).toEqual(draw(60, 40, (x, y) => (b(x, y) ? 255 : 0)));
  });
});

describe("cleanup", () => {
  const [w, h] = [200, 160];

  it("drops a speck but keeps the object and a second large object", () => {
    const main = inDisc(60, 80, 40); // ≈ 5027 px
    const second = inBox(140, 20, 180, 60); // 1600 px, well above 2 %
    const speck = inBox(150, 120, 155, 125); // 25 px, below 2 % (≈ 100 px)
    const mask = draw(w, h, (x, y) => (main(x, y) || second(x, y) || speck(x, y) ? 255 : 0));
    cleanup(mask, w, h);
    expect(mask).toEqual(draw(w, h, (x, y) => (main(x, y) || second(x, y) ? 255 : 0)));
  });

  it("drops a soft speck with its faint halo", () => {
    const main = inDisc(60, 80, 40);
    const core = inDisc(160, 120, 3);
    const halo = inDisc(160, 120, 7);
    const mask = draw(w, h, (x, y) => (main(x, y) ? 255 : core(x, y) ? 220 : halo(x, y) ? 60 : 0));
    cleanup(mask, w, h);
    expect(mask).toEqual(draw(w, h, (x, y) => (main(x, y) ? 255 : 0)));
  });

  it("always keeps the largest component", () => {
    const main = inDisc(60, 80, 40);
    const second = inBox(140, 20, 180, 60);
    const mask = draw(w, h, (x, y) => (main(x, y) || second(x, y) ? 255 : 0));
    cleanup(mask, w, h, { minIslandRatio: 2 });
    expect(mask).toEqual(draw(w, h, (x, y) => (main(x, y) ? 255 : 0)));
  });

  it("fills a small hole, but neither a large hole nor a notch on the border", () => {
    // Holes are compared with 1 % of the image: 320 px.
    const body = inBox(0, 20, 200, 150); // touches the left and right borders
    const small = inDisc(40, 80, 6); // ≈ 113 px
    const large = inDisc(110, 80, 15); // ≈ 707 px
    const notch = inBox(185, 100, 200, 105); // 75 px, open to the right border
    const mask = draw(w, h, (x, y) => (body(x, y) && !small(x, y) && !large(x, y) && !notch(x, y) ? 255 : 0));
    cleanup(mask, w, h);
    expect(mask).toEqual(draw(w, h, (x, y) => (body(x, y) && !large(x, y) && !notch(x, y) ? 255 : 0)));
  });

  it("fills a hole together with its soft rim", () => {
    const body = inDisc(100, 80, 60);
    const hole = inDisc(100, 80, 4);
    const rim = inDisc(100, 80, 7);
    const mask = draw(w, h, (x, y) => (!body(x, y) ? 0 : hole(x, y) ? 10 : rim(x, y) ? 180 : 255));
    cleanup(mask, w, h);
    expect(mask).toEqual(draw(w, h, (x, y) => (body(x, y) ? 255 : 0)));
  });

  it("leaves an empty mask empty", () => {
    const mask = new Uint8Array(w * h);
    cleanup(mask, w, h);
    expect(mask.every((v) => v === 0)).toBe(true);
  });
});

describe("threshold", () => {
  it("makes a mask binary at the level", () => {
    const mask = Uint8Array.from({ length: 256 }, (_, i) => i);
    threshold(mask, 100);
    expect(new Set(mask)).toEqual(new Set([0, 255]));
    expect(mask.indexOf(255)).toBe(100);
    expect(mask.slice(100).every((v) => v === 255)).toBe(true);
  });
});

describe("feather", () => {
  const [w, h] = [96, 40];
  const edge = 48;
  const step = () => draw(w, h, (x) => (x < edge ? 255 : 0));

  it("is the identity at radius 0", () => {
    const next = random(5);
    const mask = draw(w, h, () => Math.floor(next() * 256));
    const copy = mask.slice();
    feather(mask, w, h, 0);
    expect(mask).toEqual(copy);
  });

  it("softens a hard edge monotonically, like a Gaussian of that radius, and keeps flat regions", () => {
    const sigma = 3;
    const mask = step();
    feather(mask, w, h, sigma);
    const row = Array.from(mask.subarray(0, w));
    for (let y = 1; y < h; y++) expect(Array.from(mask.subarray(y * w, (y + 1) * w))).toEqual(row);
    for (let x = 1; x < w; x++) expect(row[x]).toBeLessThanOrEqual(row[x - 1]);
    // Far from the edge nothing changes; at the edge, half.
    expect(row.slice(0, edge - 4 * sigma).every((v) => v === 255)).toBe(true);
    expect(row.slice(edge + 4 * sigma).every((v) => v === 0)).toBe(true);
    expect(Math.abs((row[edge - 1] + row[edge]) / 2 - 127.5)).toBeLessThan(3);
    // A Gaussian edge goes from 90 % to 10 % over 2.56 σ.
    const width = row.filter((v) => v < 0.9 * 255 && v > 0.1 * 255).length;
    expect(Math.abs(width - 2.56 * sigma)).toBeLessThanOrEqual(2);
  });

  it("keeps a constant mask constant and a disc's mass", () => {
    const flat = new Uint8Array(w * h).fill(77);
    feather(flat, w, h, 5);
    expect(flat.every((v) => v === 77)).toBe(true);

    const disc = draw(w, h, (x, y) => (inDisc(48, 20, 10)(x, y) ? 255 : 0));
    const mass = disc.reduce((s, v) => s + v, 0);
    feather(disc, w, h, 2);
    expect(Math.abs(disc.reduce((s, v) => s + v, 0) - mass) / mass).toBeLessThan(0.01);
  });
});

describe("guidedRefine", () => {
  /**
   * A photo of a dark disc on a light, slightly noisy background, its true mask, and the mask a
   * 320 px network would give: the true disc, shifted by `offset` px, area-averaged to 320 px,
   * blurred by one of its pixels, then upsampled bilinearly.
   */
  function scene(size: number, offset: number) {
    const next = random(7);
    const disc = inDisc(size / 2, size / 2, size / 3);
    const truth = draw(size, size, (x, y) => (disc(x, y) ? 255 : 0));
    const rgba = new Uint8Array(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      const v = (truth[i] ? 70 : 180) + Math.round((next() - 0.5) * 8);
      rgba.set([v + 10, v, v - 10, 255], 4 * i);
    }
    const n = 320;
    const k = size / n;
    let low = new Float64Array(n * n);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (disc(x - offset, y)) low[Math.floor(y / k) * n + Math.floor(x / k)] += 1 / (k * k);
      }
    }
    const blurred = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let sum = 0;
        let taps = 0;
        for (let v = Math.max(0, y - 1); v <= Math.min(n - 1, y + 1); v++) {
          for (let u = Math.max(0, x - 1); u <= Math.min(n - 1, x + 1); u++) {
            sum += low[v * n + u];
            taps++;
          }
        }
        blurred[y * n + x] = sum / taps;
      }
    }
    low = blurred;
    const at = (p: number) => Math.min(n - 1, Math.max(0, (p + 0.5) / k - 0.5));
    const mask = draw(size, size, (x, y) => {
      const [u, v] = [at(x), at(y)];
      const [x0, y0] = [Math.floor(u), Math.floor(v)];
      const [x1, y1] = [Math.min(n - 1, x0 + 1), Math.min(n - 1, y0 + 1)];
      const [fx, fy] = [u - x0, v - y0];
      const top = low[y0 * n + x0] * (1 - fx) + low[y0 * n + x1] * fx;
      const bottom = low[y1 * n + x0] * (1 - fx) + low[y1 * n + x1] * fx;
      return Math.round((top * (1 - fy) + bottom * fy) * 255);
    });
    return { rgba, truth, mask };
  }

  /** Where the middle row of a mask crosses 128 on its right side. */
  function rightEdge(mask: Uint8Array, size: number): number {
    const row = mask.subarray((size / 2) * size, (size / 2 + 1) * size);
    let x = size - 1;
    while (row[x] < 128) x--;
    return x + 0.5 + (row[x] - 128) / (row[x] - row[x + 1]);
  }

  const size = 960;

  it("pulls a soft mask onto the photo's edge", () => {
    const { rgba, truth, mask } = scene(size, 0);
    const before = error(mask, truth);
    guidedRefine(mask, rgba, size, size);
    expect(error(mask, truth)).toBeLessThan(0.55 * before);
  });

  it("moves a shifted mask edge toward the photo's edge", () => {
    const offset = 4; // over a network pixel
    const { rgba, truth, mask } = scene(size, offset);
    const trueEdge = rightEdge(truth, size);
    const before = error(mask, truth);
    expect(rightEdge(mask, size) - trueEdge).toBeGreaterThan(offset - 1);
    guidedRefine(mask, rgba, size, size);
    expect(error(mask, truth)).toBeLessThan(0.8 * before);
    expect(Math.abs(rightEdge(mask, size) - trueEdge)).toBeLessThan(1);
  });

  it("leaves flat regions alone", () => {
    const { rgba, truth, mask } = scene(size, 0);
    guidedRefine(mask, rgba, size, size);
    // 50 px is over four of the default 9 px cells away from the edge.
    const far = (x: number, y: number) => Math.abs(Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2) - size / 3) > 50;
    let changed = 0;
    for (let y = 0; y < size; y += 3) {
      for (let x = 0; x < size; x += 3) changed += Number(far(x, y) && mask[y * size + x] !== truth[y * size + x]);
    }
    expect(changed).toBe(0);

    const constant = new Uint8Array(size * size).fill(128);
    guidedRefine(constant, rgba, size, size);
    expect(constant.every((v) => Math.abs(v - 128) <= 1)).toBe(true);
  });

  it("handles sizes that are not a multiple of the subsampling, and tiny images", () => {
    for (const [w, h] of [[101, 37], [1, 1], [3, 200]]) {
      const mask = new Uint8Array(w * h).fill(255);
      guidedRefine(mask, new Uint8Array(w * h * 4).fill(90), w, h);
      expect(mask.every((v) => v === 255)).toBe(true);
    }
  });
});

describe("at 4 MP", () => {
  it("runs every step on a 2048 × 2048 mask", () => {
    const size = 2048;
    const object = inDisc(1024, 1024, 700);
    const mask = draw(size, size, (x, y) => (object(x, y) ? 255 : inBox(100, 100, 110, 110)(x, y) ? 255 : 0));
    const rgba = new Uint8Array(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      rgba.fill(mask[i] ? 60 : 200, 4 * i, 4 * i + 3);
      rgba[4 * i + 3] = 255;
    }
    const time = (name: string, step: () => void) => {
      const start = performance.now();
      step();
      console.log(`refine ${name} at 2048²: ${(performance.now() - start).toFixed(0)} ms`);
    };
    time("findComponents", () => expect(findComponents(mask, size, size)).toHaveLength(2));
    time("cleanup", () => cleanup(mask, size, size));
    expect(findComponents(mask, size, size)).toHaveLength(1);
    time("guidedRefine", () => guidedRefine(mask, rgba, size, size));
    time("feather(4)", () => feather(mask, size, size, 4));
    time("threshold", () => threshold(mask));
    expect(mask[1024 * size + 1024]).toBe(255);
    expect(mask[0]).toBe(0);
  });
});
