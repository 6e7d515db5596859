/**
 * The bad-input corpus: several hundred generated hostile requests (corrupt, truncated and
 * random files of every supported type, wrong magic bytes, huge declared sizes, zero sizes,
 * other formats and polyglots, over-size bodies, bad parameters, SSRF URLs in every spelling
 * and redirects to them). Every case must answer within its deadline with its documented JSON
 * error (or, for files that are still valid images, an image); none may be a 500, and the test
 * origin proves that no forbidden host was ever contacted.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ERRORS } from "../../core/errors";
import {
  concat, jpegDeclaring, jpegScanStart, jpegWithGarbageScan, mutate, pngDeclaring, randomBytes, text, webpDeclaring,
} from "../corpus/builders";
import { BAD_SCHEMES, FORBIDDEN_URLS, FORBIDDEN_HOSTS, canonicalHost } from "../corpus/ssrf";
import { removeBgCases } from "../corpus/removebg";
import { ORIGIN, TEST_HOSTS, fixture } from "../helpers";

type Outcome = number | "image";
interface Case {
  name: string;
  path: string;
  body?: () => BodyInit;
  headers?: Record<string, string>;
  /** Allowed answers: HTTP statuses of documented errors, or "image" for a file that is a valid image after all. */
  expect: Outcome[];
}

const DEADLINE_MS = 15_000; // the fetch timeout in tests is 2 s; nothing may take much longer
const files: Record<"jpeg" | "png" | "webp", Uint8Array> = {} as never;
const cases: Case[] = [];
const upload = (name: string, bytes: Uint8Array, expect: Outcome[], path = "/mask"): Case => ({ name, path, body: () => bytes, expect });
const fetched = (name: string, path: string, expect: Outcome[]): Case => ({ name, path, expect });
const enc = encodeURIComponent;

beforeAll(async () => {
  files.jpeg = await fixture("images/rocket.jpg");
  files.png = await fixture("images/chelsea.png");
  files.webp = await fixture("webp/images/coffee.png");
});

function fileCases(): Case[] {
  const out: Case[] = [];
  for (const [type, bytes] of Object.entries(files)) {
    // Truncated anywhere: inside the signature, the headers, the data, one byte short.
    const cuts = [1, 2, 3, 4, 6, 8, 11, 12, 16, 20, 24, 30, 33, 40, 64, 100, 300];
    const fractions = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
    for (const at of [...cuts, ...fractions.map((f) => Math.floor(bytes.length * f)), bytes.length - 2, bytes.length - 1]) {
      out.push(upload(`${type} truncated to ${at} bytes`, bytes.subarray(0, at), [415, 422]));
    }
    // Headers corrupted: seeded byte flips in the first 64 bytes (a valid image may survive).
    for (let seed = 1; seed <= 12; seed++) out.push(upload(`${type} header corrupted (seed ${seed})`, mutate(bytes, seed, 3, 0, 64), [413, 415, 422, "image"]));
    // Wrong magic: the signature of another type over this body, or zeroed.
    out.push(upload(`${type} with PNG magic`, concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes.subarray(8)), type === "png" ? ["image"] : [415, 422]));
    out.push(upload(`${type} with JPEG magic`, concat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), bytes.subarray(4)), type === "jpeg" ? ["image"] : [415, 422]));
    out.push(upload(`${type} with GIF magic`, concat(text("GIF89a"), bytes.subarray(6)), [415]));
    out.push(upload(`${type} with zeroed magic`, concat(new Uint8Array(12), bytes.subarray(12)), [415]));
    // Random data behind a real signature.
    for (let seed = 1; seed <= 4; seed++) out.push(upload(`${type} signature + random data (seed ${seed})`, concat(bytes.subarray(0, 16), randomBytes(5000, seed)), [413, 415, 422]));
  }
  // JPEG entropy data replaced by noise, headers intact.
  for (let seed = 1; seed <= 4; seed++) out.push(upload(`JPEG with a random scan (seed ${seed})`, jpegWithGarbageScan(files.jpeg, seed), [422]));
  out.push(upload("JPEG with no scan at all", concat(files.jpeg.subarray(0, jpegScanStart(files.jpeg)), new Uint8Array([0xff, 0xd9])), [422]));
  // Random files of many lengths.
  for (const n of [1, 2, 3, 7, 16, 100, 1000, 4096, 65536, 500_000]) out.push(upload(`random ${n} bytes`, randomBytes(n, n), [415]));
  return out;
}

function sizeCases(): Case[] {
  const out: Case[] = [];
  // Zero and huge declared sizes: refused from the header, before any decoding (decompression bombs).
  const huge: [number, number][] = [[100_000, 100_000], [65_535, 65_535], [12_001, 1], [1, 12_001], [2 ** 31 - 1, 1], [2 ** 32 - 1, 2 ** 32 - 1], [8193, 6144], [12_000, 12_000], [20_000, 20_000]];
  for (const [w, h] of huge) {
    out.push(upload(`PNG declaring ${w}×${h}`, pngDeclaring(w, h), [413]));
    if (w <= 65_535 && h <= 65_535) out.push(upload(`JPEG declaring ${w}×${h}`, jpegDeclaring(w, h), [413]));
    if (w <= 2 ** 24 && h <= 2 ** 24) out.push(upload(`WebP declaring ${w}×${h}`, webpDeclaring(w, h), [413]));
  }
  for (const [w, h] of [[0, 0], [0, 10], [10, 0]] as const) {
    out.push(upload(`PNG declaring ${w}×${h}`, pngDeclaring(w, h), [422]));
    out.push(upload(`JPEG declaring ${w}×${h}`, jpegDeclaring(w, h), [422]));
  }
  // Just over the pixel cap on the edge model (8193×6144 > 50 MP), and a progressive JPEG header.
  out.push({ ...upload("PNG declaring 8193×6144 on the edge model", pngDeclaring(8193, 6144), [413]), path: "/mask?model=u2netp" });
  out.push({ ...upload("progressive JPEG declaring 30000×30000", jpegDeclaring(30_000, 30_000, 0xc2), [413]) });
  // Headers that lie about small sizes: the data does not match.
  out.push(upload("PNG declaring 10×10 with no real data", pngDeclaring(10, 10), [422]));
  out.push(upload("JPEG declaring 10×10 with no scan", jpegDeclaring(10, 10), [422]));
  out.push(upload("WebP declaring 10×10 with no frame", webpDeclaring(10, 10), [422]));
  return out;
}

function formatCases(): Case[] {
  const out: Case[] = [];
  const others: [string, string][] = [
    ["SVG", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'],
    ["SVG with a script", '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ["SVG with leading whitespace", '   \n<svg xmlns="http://www.w3.org/2000/svg"></svg>'],
    ["SVG embedding a PNG", '<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,iVBORw0KGgo="/></svg>'],
    ["gzipped SVG", "\x1f\x8b\x08\x00\x00\x00\x00\x00"],
    ["GIF89a", "GIF89a\x01\x00\x01\x00\x00\x00\x00;"],
    ["GIF87a", "GIF87a\x01\x00\x01\x00\x00\x00\x00;"],
    ["GIF/JavaScript polyglot", "GIF89a/*\x01\x00\x01\x00*/=alert(1)//;"],
    ["HTML page", "<!doctype html><html><body>not an image</body></html>"],
    ["HTML with an img tag", '<html><img src="x" onerror="alert(1)"></html>'],
    ["XML", '<?xml version="1.0"?><a/>'],
    ["JSON", '{"image":"cat.jpg"}'],
    ["plain text", "hello"],
    ["BMP", "BM" + "\0".repeat(60)],
    ["TIFF little-endian", "II*\0" + "\0".repeat(20)],
    ["TIFF big-endian", "MM\0*" + "\0".repeat(20)],
    ["ICO", "\0\0\x01\0\x01\0" + "\0".repeat(30)],
    ["HEIC", "\0\0\0\x18ftypheic\0\0\0\0mif1heic"],
    ["AVIF", "\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"],
    ["JPEG XL", "\xff\x0a" + "\0".repeat(20)],
    ["PDF", "%PDF-1.7\n%âãÏÓ"],
    ["ZIP", "PK\x03\x04" + "\0".repeat(26)],
    ["PSD", "8BPS\0\x01" + "\0".repeat(20)],
    ["RIFF but WAVE", "RIFF\x24\0\0\0WAVEfmt "],
    ["RIFF WEBP with an unknown chunk", "RIFF\x16\0\0\0WEBPXXXX\x0a\0\0\0" + "\0".repeat(10)],
    ["UTF-8 BOM then PNG", "\xef\xbb\xbf\x89PNG\r\n\x1a\n"],
  ];
  for (const [name, body] of others) {
    const bytes = Uint8Array.from(body, (ch) => ch.charCodeAt(0) & 255);
    out.push(upload(name, bytes, name === "RIFF WEBP with an unknown chunk" ? [415, 422] : [415]));
  }
  // Polyglots: a real image with something else appended is still that image, re-encoded.
  out.push(upload("JPEG + HTML after EOI", concat(files.jpeg, text("<script>alert(1)</script>")), ["image"]));
  out.push(upload("PNG + ZIP after IEND", concat(files.png, text("PK\x03\x04polyglot")), ["image"]));
  out.push(upload("HTML carrying PNG bytes", concat(text("<html>"), files.png), [415]));
  out.push(upload("PNG signature + HTML", concat(files.png.subarray(0, 8), text("<html><script>alert(1)</script></html>")), [415, 422]));
  return out;
}

function bodyCases(): Case[] {
  const limit = 25 * 1024 * 1024; // MAX_UPLOAD_BYTES
  const big = () => new Uint8Array(limit + 1);
  const streamed = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 26; i++) controller.enqueue(new Uint8Array(1 << 20));
        controller.close();
      },
    });
  const form = (name: string, value: Blob | string) => () => {
    const data = new FormData();
    data.append(name, value);
    return data;
  };
  return [
    { name: "empty body", path: "/mask", body: () => new Uint8Array(0), expect: [400] },
    { name: "body one byte over the cap", path: "/mask", body: big, expect: [413] },
    { name: "body over the cap, streamed without a length", path: "/remove", body: streamed, expect: [413] },
    { name: "multipart file over the cap", path: "/mask", body: form("image", new Blob([big()])), expect: [413] },
    { name: "multipart without an image field", path: "/mask", body: form("photo", new Blob([files.png])), expect: [400] },
    { name: "multipart image field as text", path: "/mask", body: form("image", "cat.jpg"), expect: [400] },
    { name: "multipart with a broken body", path: "/mask", body: () => "--x\r\nContent-Disposition: form-data; name=", headers: { "content-type": "multipart/form-data; boundary=x" }, expect: [400] },
    { name: "multipart without a boundary", path: "/mask", body: () => "abc", headers: { "content-type": "multipart/form-data" }, expect: [400] },
    { name: "multipart holding an SVG", path: "/mask", body: form("image", new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'])), expect: [415] },
  ];
}

function parameterCases(): Case[] {
  const photo = enc(`${ORIGIN}/images/chelsea.png?case=parameters`);
  const bad: [string, string][] = [
    ["mask", "format=gif"], ["mask", "format=png%00"], ["mask", "max_side=0"], ["mask", "max_side=15"], ["mask", "max_side=99999"],
    ["mask", "max_side=1.5"], ["mask", "threshold=0"], ["mask", "threshold=256"], ["mask", "threshold=abc"], ["mask", "threshold=1e3"],
    ["mask", "feather=-1"], ["mask", "feather=51"], ["mask", "feather=NaN"], ["mask", "feather=Infinity"], ["mask", "refine=maybe"],
    ["mask", "cleanup=2"], ["remove", "bg=zzz"], ["remove", "bg=%23ff"], ["remove", "bg=fffffffff"], ["remove", "bg=blur&bg_url=https://images.test/x.png"],
    ["remove", "bg_url=ftp://images.test/x.png"], ["remove", "bg_url=http://127.0.0.1/x.png"], ["remove", "bg_url=http://169.254.169.254/"],
    ["remove", "bg_url=not%20a%20url"], ["remove", "shadow=x"], ["highlight", "style=neon"], ["highlight", "strength=2"],
    ["highlight", "strength=-0.1"], ["crop", "margin=101%25"], ["crop", "margin=-5"], ["crop", "margin=5em"], ["crop", "w=0"],
    ["crop", "w=abc"], ["crop", "w=100000&h=10"], ["crop", "fit=stretch"], ["crop", "transparent=2"], ["bbox", "min_area=-1"],
    ["bbox", "min_area=2"], ["bbox", "format=tiff"], ["mask", "model=u2netx"], ["mask", "quality=ultra"], ["remove", "format=jpg"], ["remove", "format=heic"], ["remove", "quality=0"],
    ["remove", "quality=101"], ["remove", "quality=50.5"], ["remove", "quality=abc"], ["mask", "format=avif&quality=-1"], ["remove", "format=AUTO&quality=1e2"], ["mask", "strict=maybe"],
    ["remove", "format=jpeg&format=gif"], ["crop", "fit=fill"], ["crop", "dpr=0"], ["crop", "dpr=4"], ["crop", "dpr=abc"], ["crop", "dpr=NaN"],
    ["crop", "w=1200&h=10&dpr=2"], ["crop", "fit=pad&w=10&h=10&bg=nope"], ["crop", "transparent=1&bg=12345"],
  ];
  const out = bad.map(([endpoint, query]) => fetched(`/${endpoint}?${query}`, `/${endpoint}?url=${photo}&${query}`, [400, 403]));
  out.push(fetched("url= empty", "/mask?url=", [400]));
  out.push(fetched("url= 10 000 characters", `/mask?url=${enc(`${ORIGIN}/${"a".repeat(10_000)}.png`)}`, [400, 404, 414, 502]));
  return out;
}

function urlCases(): Case[] {
  const out: Case[] = [];
  for (const url of FORBIDDEN_URLS) out.push(fetched(`url=${url}`, `/mask?url=${enc(url)}`, [400, 403]));
  for (const url of FORBIDDEN_URLS.filter((_, i) => i % 4 === 0)) out.push(fetched(`bg_url=${url}`, `/remove?url=${enc(`${ORIGIN}/images/chelsea.png`)}&bg_url=${enc(url)}`, [400, 403]));
  for (const url of BAD_SCHEMES) out.push(fetched(`url=${url}`, `/mask?url=${enc(url)}`, [400]));
  // Empty credentials are no credentials: the parser drops them and the path is simply fetched.
  out.push(fetched("url with empty credentials", `/mask?url=${enc("http://:@images.test/nothing.png")}`, [502]));
  // Redirects from the public test origin to forbidden hosts, directly and after a first hop.
  for (const url of FORBIDDEN_URLS.filter((_, i) => i % 2 === 0)) {
    out.push(fetched(`redirect to ${url}`, `/mask?url=${enc(`${ORIGIN}/redirect-to?to=${enc(url)}`)}`, [400, 403]));
  }
  for (const url of FORBIDDEN_URLS.filter((_, i) => i % 6 === 0)) {
    const hop = `${ORIGIN}/redirect-to?to=${enc(`${ORIGIN}/redirect-to?to=${enc(url)}`)}`;
    out.push(fetched(`two hops to ${url}`, `/mask?url=${enc(hop)}`, [400, 403]));
  }
  // Misbehaving sources.
  out.push(fetched("source answers 404", `/mask?url=${enc(`${ORIGIN}/status/404`)}`, [502]));
  out.push(fetched("source answers 500", `/mask?url=${enc(`${ORIGIN}/status/500`)}`, [502]));
  out.push(fetched("source too slow", `/mask?url=${enc(`${ORIGIN}/slow?ms=8000`)}`, [504]));
  out.push(fetched("source body never ends", `/mask?url=${enc(`${ORIGIN}/endless`)}`, [413]));
  out.push(fetched("redirect loop", `/mask?url=${enc(`${ORIGIN}/redirect/9/images/chelsea.png`)}`, [502]));
  out.push(fetched("source is JSON", `/mask?url=${enc(`${ORIGIN}/images/index.json`)}`, [415]));
  return out;
}

/** Sends one case; each case is its own client, so the rate limit (tested elsewhere) stays out of the way. */
async function send(c: Case, index: number): Promise<Response> {
  const headers = { "cf-connecting-ip": `198.18.${index >> 8}.${index & 255}`, ...c.headers };
  const request = SELF.fetch(`http://edge.test${c.path}`, c.body ? { method: "POST", body: c.body(), headers } : { headers });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([request, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const STATUS_OF = new Map(Object.entries(ERRORS).map(([code, { status }]) => [code, status]));

describe("bad-input corpus", () => {
  it("has at least 300 cases", () => {
    cases.push(...fileCases(), ...sizeCases(), ...formatCases(), ...bodyCases(), ...parameterCases(), ...urlCases());
    cases.push(...removeBgCases(files).map((c) => ({ ...c, path: "/v1.0/removebg" })));
    expect(cases.length).toBeGreaterThanOrEqual(300);
    console.log(`bad-input corpus: ${cases.length} cases`);
  });

  it("every case answers its documented code, none is a 500, none hangs", async () => {
    const failures: string[] = [];
    for (const [index, c] of cases.entries()) {
      const response = await send(c, index);
      const type = response.headers.get("content-type") ?? "";
      if (response.ok && c.expect.includes("image") && type.startsWith("image/")) {
        await response.body?.cancel();
        continue;
      }
      const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string }; errors?: { code?: string; title?: string }[] } | null;
      // /v1.0/removebg answers remove.bg's envelope, {"errors":[{"title","code"}]}.
      if (body?.errors?.length === 1) body.error = { code: body.errors[0].code, message: body.errors[0].title };
      const code = body?.error?.code ?? "";
      const problems = [
        !c.expect.includes(response.status) && `HTTP ${response.status} (allowed: ${c.expect.join(", ")})`,
        !type.includes("application/json") && `content-type ${type}`,
        STATUS_OF.get(code) !== response.status && `code "${code}" is not the documented one for ${response.status}`,
        !body?.error?.message && "no message",
      ].filter(Boolean);
      if (problems.length) failures.push(`${c.name}: ${problems.join("; ")}${code ? ` [${code}: ${body?.error?.message}]` : ""}`);
    }
    expect(failures).toEqual([]);
  });

  it("never contacted a forbidden host", async () => {
    const hits = (await (await fetch("https://origin.test/hits")).json()) as Record<string, number>;
    const forbidden = new Set(FORBIDDEN_HOSTS.map(canonicalHost));
    const contacted = Object.keys(hits).filter((host) => forbidden.has(host) || !TEST_HOSTS.includes(host));
    expect(contacted).toEqual([]);
  });
});
