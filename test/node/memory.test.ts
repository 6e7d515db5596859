/**
 * The JS working set is the typed arrays the pipeline holds at once: counted by the pipeline
 * itself (Ledger) and cross-checked here by running the same core/ code in Node against
 * `process.memoryUsage().arrayBuffers`, read after a forced GC at every sample, so it counts
 * only live buffers. Samples are taken at each ledger event, each band of the answer, each
 * encoded chunk, and right after every typed array of 1 MiB or more is made anywhere
 * (the global constructors are wrapped while a case runs): live memory only grows at an
 * allocation, so the peak is seen, and a sample over the ledger names the allocation.
 *
 * No model: the 320×320 mask is the fixture photo's reference mask, resized the way the
 * product resizes masks. The pipeline is wired as worker/front/pipeline/segment.ts and
 * worker/front/routes/effect-route.ts wire it; the encoded answer is consumed and dropped.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../../core/codecs/index.ts";
import { JpegCodec } from "../../core/codecs/jpeg.ts";
import { PngCodec } from "../../core/codecs/png.ts";
import { EFFECTS } from "../../core/effects/index.ts";
import { ENCODERS, FORMAT_CHOICES, chooseFormat, preferFormat } from "../../core/encode/index.ts";
import { MaskRows, resizeMask, toMask8 } from "../../core/mask.ts";
import { MODELS } from "../../core/models.ts";
import { QueryParams } from "../../core/params.ts";
import { planMemory } from "../../core/pipeline/budget.ts";
import { Job } from "../../core/pipeline/job.ts";
import { Ledger } from "../../core/pipeline/ledger.ts";
import { MaskBands, holdsWholeMask, readMaskOptions } from "../../core/pipeline/mask-bands.ts";
import { inspect, openPhoto } from "../../core/pipeline/open.ts";
import { resized } from "../../core/pipeline/sources.ts";
import { modelInput } from "../../core/preprocess.ts";
import { large } from "../origin/large.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MiB = 1024 * 1024;
const mb = (n: number) => (n / MiB).toFixed(1);
const gc = () => (globalThis.gc as () => void)();
const arrayBuffers = () => process.memoryUsage().arrayBuffers;
// Node compiles WASM from bytes (workerd's types say it cannot).
const compile = (file: string) => new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(readFileSync(join(ROOT, file)));
const jpegModule = compile("core/codecs/jpeg.wasm");
const pngModule = compile("core/codecs/png.wasm");

/** Fresh codecs for each case, so their peakBytes are that case's. */
function makeCodecs(): Codecs {
  const jpeg = new JpegCodec(jpegModule);
  const png = new PngCodec(pngModule);
  const notHere = (): never => {
    throw new Error("WebP and AVIF are not in Node here");
  };
  const wholeNotHere = { encode: notHere, memoryBytes: () => 0 };
  return { jpeg, png, decodeWebp: notHere, avif: wholeNotHere, webp: wholeNotHere, wasmBytes: () => jpeg.peakBytes() + png.peakBytes() };
}

/** Whether Node counts WebAssembly.Memory in `arrayBuffers` (if so, samples subtract it). */
function wasmInArrayBuffers(): boolean {
  const memory = new WebAssembly.Memory({ initial: 1 });
  gc();
  const before = arrayBuffers();
  memory.grow(256); // 16 MiB
  return arrayBuffers() - before > 8 * MiB;
}

/** Samples live ArrayBuffer bytes above a baseline, and how far they run over the ledger. */
class Probe {
  peak = 0;
  /** The most measured bytes over what the ledger held at the same moment, and where. */
  over = 0;
  site = "";
  samples = 0;
  ledger: Ledger | undefined;
  private base = 0;
  private pending: { at: number; held: number; stack: string } | undefined;

  constructor(private readonly wasm: () => number) {}

  private now(): number {
    return arrayBuffers() - this.wasm();
  }

  start(): void {
    gc();
    this.base = this.now();
  }

  sample(): void {
    gc();
    const at = this.now() - this.base;
    const held = this.ledger?.current ?? 0;
    this.samples++;
    this.peak = Math.max(this.peak, at);
    // A buffer counted just after it is made (ledger.take) is not over: judge against the next sample's ledger too.
    this.settle(held);
    this.pending = { at, held, stack: at - held > this.over ? coreFrames() : "" };
  }

  settle(held: number): void {
    const p = this.pending;
    if (p && p.at - Math.max(p.held, held) > this.over) [this.over, this.site] = [p.at - Math.max(p.held, held), p.stack];
    this.pending = undefined;
  }
}

/** The core/ frames of the current stack (where an allocation came from). */
function coreFrames(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const frames = stack.split("\n").filter((line) => line.includes("/core/") && !line.includes("ledger.ts"));
  return frames.slice(0, 3).map((line) => line.replace(/^.*?\/(core\/[^):]+:\d+).*$/, "$1")).join(" < ");
}

/** A ledger that samples at every take and release. */
class SampledLedger extends Ledger {
  constructor(private readonly probe: Probe) {
    super();
  }
  override take(bytes: number): void {
    super.take(bytes);
    this.probe.sample();
  }
  override release(buffer: ArrayBufferView | number | undefined | null): void {
    this.probe.sample();
    super.release(buffer);
  }
}

const TYPED = ["Uint8Array", "Uint8ClampedArray", "Uint16Array", "Int32Array", "Float32Array", "Float64Array"];

/** While `work` runs, every typed array of 1 MiB or more made through the globals is sampled. */
async function sampleAllocations<T>(probe: Probe, work: () => Promise<T>): Promise<T> {
  const scope = globalThis as unknown as Record<string, object>;
  const saved = TYPED.map((name) => [name, scope[name]] as const);
  for (const [name, ctor] of saved) {
    scope[name] = new Proxy(ctor, {
      construct(target, args, newTarget) {
        const made = Reflect.construct(target as new (...a: unknown[]) => ArrayBufferView, args, newTarget) as ArrayBufferView;
        if (!(args[0] instanceof ArrayBuffer) && made.byteLength >= MiB) probe.sample();
        return made;
      },
    });
  }
  try {
    return await work();
  } finally {
    for (const [name, ctor] of saved) scope[name] = ctor;
  }
}

let mask320: Uint8Array;
let wasmCounted = false;

interface Row {
  photo: string;
  route: string;
  file: number;
  ledger: number;
  measured: number;
  over: number;
  site: string;
  wasm: number;
  chunk: number;
  plan: number;
  samples: number;
  seconds: number;
}
const rows: Row[] = [];

/** One request's pipeline, as the front worker runs it after the model, answer consumed and dropped. */
async function run(photo: string, route: string): Promise<Row> {
  const started = performance.now();
  const codecs = makeCodecs();
  const probe = new Probe(() => (wasmCounted ? codecs.jpeg.memoryBytes() + codecs.png.memoryBytes() : 0));
  const path = join(ROOT, "test/artifacts/large", photo);
  const file = statSync(path).size;
  probe.start();
  let chunk = 0;
  let plan = 0;
  const ledger = new SampledLedger(probe);
  await sampleAllocations(probe, async () => {
    const bytes = readFileSync(path);
    probe.ledger = ledger;
    ledger.take(bytes.length);
    const params = QueryParams.from(`http://front${route}`);
    const effect = EFFECTS.find((e) => e.name === route.slice(1).split("?")[0])!;
    const format = params.oneOf("format", FORMAT_CHOICES);
    const maskOptions = readMaskOptions(params);
    const options = effect.parse(params, { vetUrl: (raw) => raw });
    const needs = effect.needs?.(options) ?? {};
    // segment(): inspect, plan, open, the model's input (made and dropped: no model here), the mask.
    const inspection = inspect(bytes, codecs);
    plan = planMemory(inspection, bytes.length, { ...needs, wholeMask: needs.wholeMask || holdsWholeMask(maskOptions, needs.rowsAgain) }).bytes;
    const source = resized(openPhoto(bytes, inspection, codecs, ledger), inspection.width, inspection.height);
    modelInput(source.open(), MODELS.u2netp);
    const raw = Float32Array.from(mask320, (v) => v / 255);
    const base = new MaskRows(toMask8(raw), 320, 320, source.width, source.height);
    ledger.take(base.bytes);
    const mask = new MaskBands(base, maskOptions, ledger);
    mask.prepare(source);
    const job = new Job(source, mask, base, ledger, "u2netp");
    const output = await effect.render(job, options, { loadImage: () => Promise.reject(new Error("no bg_url here")), format });
    if (!("picture" in output)) throw new Error(`${route} answered JSON`);
    const { picture } = output;
    const encoder = ENCODERS[chooseFormat(preferFormat(format, undefined), picture)];
    for await (const part of encoder.encode(picture, codecs, ledger, {})) {
      chunk = Math.max(chunk, part.length);
      probe.sample();
    }
  });
  probe.settle(ledger.current);
  const wasm = codecs.jpeg.peakBytes() + codecs.png.peakBytes();
  const row = { photo, route, file, ledger: ledger.peak, measured: probe.peak, over: probe.over, site: probe.site, wasm, chunk, plan, samples: probe.samples, seconds: (performance.now() - started) / 1000 };
  rows.push(row);
  return row;
}

/** What the ledger may leave out: the model's input and O(width) scratch rows, and the answer's chunks in flight. */
const allowance = (row: Row) => 4 * MiB + 2 * row.chunk;

const PHOTOS: { name: string; baseline: boolean }[] = [
  { name: "8192x6144.jpg", baseline: true },
  { name: "8192x6144-grey.png", baseline: true },
  { name: "6000x4000-progressive.jpg", baseline: false },
  { name: "6000x4000-o6.jpg", baseline: true },
];
/** The full set on the 50 MP JPEG; the cutout alone on the other kinds (the run takes minutes). */
const ROUTES = ["/remove", "/remove?bg=blur&shadow=1", "/mask?refine=1", "/bbox?format=png"];
const routesFor = (name: string) => (name === "8192x6144.jpg" ? ROUTES : ["/remove"]);
const TALL = ["2000x1000.jpg", "2000x8000.jpg", "2000x1000.png", "2000x8000.png"];

beforeAll(async () => {
  for (const name of [...PHOTOS.map((p) => p.name), ...TALL]) {
    const made = await large(name);
    expect(made.status, name).toBe(200);
    await made.arrayBuffer();
  }
  // The reference mask of the photo the large pictures are made from, at the model's size.
  const png = new PngCodec(pngModule);
  const reader = png.decode(readFileSync(join(ROOT, "test/fixtures/masks/juliatrotti_17.png")));
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.read(rgba, reader.height);
  reader.close();
  const grey = rgba.filter((_, i) => i % 4 === 0);
  mask320 = resizeMask(grey, reader.width, reader.height, 320, 320);
  wasmCounted = wasmInArrayBuffers();
});

afterAll(() => {
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(i ? 26 : 26) : c.padStart(9))).join(" ");
  const table = [
    `WASM memory in arrayBuffers: ${wasmCounted ? "yes (subtracted)" : "no"}; MiB; measured = live arrayBuffers peak above baseline (after GC)`,
    line(["case", "route", "file", "ledger", "measured", "over", "WASM", "plan", "samples", "s"]),
    ...rows.map((r) => line([r.photo, r.route, mb(r.file), mb(r.ledger), mb(r.measured), mb(r.over), mb(r.wasm), mb(r.plan), String(r.samples), r.seconds.toFixed(1)])),
    "",
    "largest sample over the ledger at that moment, by case:",
    ...rows.filter((r) => r.over > 0.5 * MiB).map((r) => `  ${r.photo} ${r.route}: ${mb(r.over)} MiB at ${r.site || "(outside core/)"}`),
  ];
  console.log(table.join("\n"));
});

describe("the ledger against process.memoryUsage().arrayBuffers, core pipeline in Node", () => {
  it("runs with --expose-gc", () => expect(typeof globalThis.gc).toBe("function"));

  for (const { name, baseline } of PHOTOS) {
    for (const route of routesFor(name)) {
      it(`${name} ${route}`, async () => {
        const row = await run(name, route);
        // (1) The ledger does not undercount: what is measured is in it, but for the allowance.
        expect(row.ledger, `ledger ${mb(row.ledger)} vs measured ${mb(row.measured)} MiB; most over the ledger: ${mb(row.over)} MiB at ${row.site}`).toBeGreaterThanOrEqual(row.measured - allowance(row));
        // (2) Nor does it overcount grossly.
        expect(row.measured, `measured ${mb(row.measured)} vs ledger ${mb(row.ledger)} MiB`).toBeGreaterThanOrEqual(0.5 * row.ledger - allowance(row));
        // (4) A baseline file streams: the codecs read it from JS and hold a few rows.
        if (baseline) expect(row.wasm, `WASM ${mb(row.wasm)} MiB, file ${mb(row.file)} MiB`).toBeLessThan(8 * MiB);
      });
    }
  }

  // (3) Beyond the file, a baseline photo's working set grows with its width, not its height.
  for (const type of ["jpg", "png"]) {
    it(`2000×1000 and 2000×8000 ${type} through /remove hold the same beyond the file`, async () => {
      const short = await run(`2000x1000.${type}`, "/remove");
      const tall = await run(`2000x8000.${type}`, "/remove");
      const growth = tall.ledger - tall.file - (short.ledger - short.file);
      expect(Math.abs(growth), `ledger beyond the file grew ${mb(growth)} MiB`).toBeLessThan(2 * MiB);
      expect(tall.wasm, `WASM ${mb(tall.wasm)} MiB`).toBeLessThan(8 * MiB);
    });
  }
});
