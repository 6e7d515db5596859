/**
 * Bad input, each answered with its documented JSON error code and status, never a 500, and
 * the forbidden hosts never contacted.
 */
import { describe, expect, it } from "vitest";
import { jpegDeclaring, jpegWithGarbageScan, pngDeclaring, randomBytes, text } from "../corpus/builders";
import { ORIGIN, TEST_HOSTS, errorCode, fixture, get, health, mismatches, post } from "../helpers";
import { readAnswer } from "../support/answer";
import { brokenExifCases } from "../support/exif-writer";
import { idatEndingEarly, progressiveMissingScans, truncatedMidScan } from "../support/broken-files";

const garbageScan = async () => jpegWithGarbageScan(await fixture("images/rocket.jpg"));

const uploads: [string, () => Promise<Uint8Array> | Uint8Array, number, string][] = [
  ["empty body", () => new Uint8Array(0), 400, "missing_image"],
  ["truncated JPEG (fixture)", () => fixture("bad/truncated.jpg"), 422, "undecodable_image"],
  ["truncated PNG", async () => (await fixture("images/chelsea.png")).subarray(0, 5000), 422, "undecodable_image"],
  ["JPEG with garbage scan data", garbageScan, 422, "undecodable_image"],
  ["random bytes", () => randomBytes(2000), 415, "unsupported_media_type"],
  ["HTML page", () => text("<!doctype html><html><body>not an image</body></html>"), 415, "unsupported_media_type"],
  ["SVG", () => text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 415, "unsupported_media_type"],
  ["GIF", () => text("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 415, "unsupported_media_type"],
  ["BMP", () => text("BM" + "\0".repeat(60)), 415, "unsupported_media_type"],
  ["HEIC", () => text("\0\0\0\x18ftypheic\0\0\0\0mif1heic"), 415, "unsupported_media_type"],
  ["PNG declaring 0×0", () => pngDeclaring(0, 0), 422, "undecodable_image"],
  ["PNG declaring 100000×100000", () => pngDeclaring(100_000, 100_000), 413, "image_too_large"],
  ["PNG declaring 8193×6144 (over the pixel cap)", () => pngDeclaring(8193, 6144), 413, "image_too_large"],
  ["PNG declaring 12001×10 (over the side cap)", () => pngDeclaring(12_001, 10), 413, "image_too_large"],
  ["JPEG declaring 65535×65535", () => jpegDeclaring(65535, 65535), 413, "image_too_large"],
  ["PNG with a chunk running past the end", () => pngDeclaring(10, 10).subarray(0, 45), 422, "undecodable_image"],
  ["body over the byte cap", () => new Uint8Array(25 * 1024 * 1024 + 1), 413, "payload_too_large"],
];

describe("bad uploads", () => {
  it.each(uploads)("%s", async (_name, make, status, code) => {
    for (const path of ["/mask", "/remove"]) {
      const response = await post(path, await make());
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await errorCode(response)).toBe(code);
    }
  });

  it("a multipart form without an `image` field → 400 missing_image", async () => {
    const form = new FormData();
    form.append("photo", new Blob([pngDeclaring(4, 4)]));
    const response = await post("/mask", form);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("missing_image");
  });

  it("the decoder keeps working after it rejected bad data", async () => {
    const before = (await health()).counters.decoderTraps;
    expect((await post("/mask", await garbageScan())).status).toBe(422);
    expect((await health()).counters.decoderTraps).toBe(before + 1);
    const good = await post("/mask", await fixture("images/download.jpeg"));
    expect(good.status).toBe(200);
    await good.arrayBuffer();
  });
});

describe("files that break while streaming", { timeout: 300_000 }, () => {
  /** Every answer is a whole image or a JSON error with its code, never a 500, never a hang. */
  async function answers(bytes: Uint8Array, allowed: number[]): Promise<Response> {
    const response = await post("/mask", bytes);
    expect(allowed, `status ${response.status}`).toContain(response.status);
    if (response.status !== 200) {
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await errorCode(response.clone())).toBe("undecodable_image");
    }
    return response;
  }

  it("a 12 MP JPEG cut mid-scan: without its end marker → 422; with one, the rest decodes grey (as browsers show it)", async () => {
    const photo = new Uint8Array(await (await fetch(`${ORIGIN}/large/4032x3024.jpg`)).arrayBuffer());
    for (const share of [0.3, 0.6, 0.95]) {
      await answers(photo.subarray(0, Math.floor(photo.length * share)), [422]);
      const patched = await answers(truncatedMidScan(photo, share), [200, 422]);
      if (patched.status === 200) expect((await readAnswer(patched)).height).toBe(3024);
    }
  });

  it("a progressive JPEG missing its last scans still answers (as browsers show it) or says why", async () => {
    const response = await answers(await progressiveMissingScans(await fixture("images/rocket.jpg")), [200, 422]);
    await response.arrayBuffer();
  });

  it("a PNG whose IDAT ends early → 422", async () => {
    await answers(await idatEndingEarly(await fixture("images/chelsea.png")), [422]);
  });

  it("EXIF with absurd offsets, counts and loops is ignored: the photo is answered as stored", async () => {
    const photo = await fixture("images/rocket.jpg");
    const plain = new Uint8Array(await (await post("/mask", photo)).arrayBuffer());
    let answered = 0;
    const cases = brokenExifCases(photo);
    for (const { name, bytes } of cases) {
      const response = await post("/mask", bytes);
      // A segment whose length runs past its data, or below its own 2 bytes, breaks the JPEG
      // itself, not only its EXIF (and a lone SOI is no JPEG at all): a clean 422 or 415.
      // Never a 500, never another orientation.
      if (response.status !== 200) {
        const code = await errorCode(response);
        expect(["415 unsupported_media_type", "422 undecodable_image"], name).toContain(`${response.status} ${code}`);
        continue;
      }
      answered++;
      expect(mismatches(new Uint8Array(await response.arrayBuffer()), plain), name).toBe(0);
    }
    expect(answered, "most broken EXIF leaves the JPEG itself whole").toBeGreaterThan(cases.length * 0.75);
  });
});

const forbidden = [
  "http://localhost/cat.jpg",
  "http://foo.localhost/cat.jpg",
  "http://127.0.0.1/cat.jpg",
  "http://2130706433/cat.jpg", // 127.0.0.1 in decimal
  "http://0x7f.0.0.1/cat.jpg", // in hex
  "http://0177.0.0.1/cat.jpg", // in octal
  "http://10.0.0.1/cat.jpg",
  "http://192.168.1.1/cat.jpg",
  "http://172.16.0.1/cat.jpg",
  "http://100.64.0.1/cat.jpg", // CGNAT
  "http://169.254.169.254/latest/meta-data/", // cloud metadata
  "http://[::1]/cat.jpg",
  "http://[::ffff:127.0.0.1]/cat.jpg",
  "http://[fd00::1]/cat.jpg",
  "http://[fe80::1]/cat.jpg",
  "http://metadata/computeMetadata/v1/",
];

describe("url= fetching", () => {
  it.each([
    ["no url", "/mask", 400, "missing_image"],
    ["not a URL", "/mask?url=not%20a%20url", 400, "invalid_url"],
    ["ftp scheme", "/mask?url=ftp://images.test/a.jpg", 400, "invalid_url"],
    ["file scheme", "/mask?url=file:///etc/passwd", 400, "invalid_url"],
    ["credentials in the URL", `/mask?url=${encodeURIComponent("https://user:pw@images.test/images/chelsea.png")}`, 400, "invalid_url"],
    ["source answers 404", `/mask?url=${ORIGIN}/status/404`, 502, "upstream_error"],
    ["source answers 500", `/mask?url=${ORIGIN}/status/500`, 502, "upstream_error"],
    ["source too slow", `/mask?url=${encodeURIComponent(`${ORIGIN}/slow?ms=8000`)}`, 504, "upstream_timeout"],
    ["endless body", `/mask?url=${ORIGIN}/endless`, 413, "payload_too_large"],
    ["source is HTML", `/mask?url=${ORIGIN}/images/index.json`, 415, "unsupported_media_type"],
    ["more than 3 redirects", `/mask?url=${ORIGIN}/redirect/4/images/chelsea.png`, 502, "upstream_error"],
    ["redirect to a private address", `/mask?url=${encodeURIComponent(`${ORIGIN}/redirect-to?to=http://127.0.0.1/x.png`)}`, 403, "forbidden_host"],
    ...forbidden.map((u): [string, string, number, string] => [u, `/mask?url=${encodeURIComponent(u)}`, 403, "forbidden_host"]),
  ])("%s", async (_name, path, status, code) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
  });

  it("follows up to 3 redirects", async () => {
    expect((await get(`/mask?url=${ORIGIN}/redirect/3/images/download.jpeg`)).status).toBe(200);
  });

  it("never contacted a forbidden host", async () => {
    const hits = (await (await fetch("https://origin.test/hits")).json()) as Record<string, number>;
    const contacted = Object.keys(hits).filter((host) => !TEST_HOSTS.includes(host));
    expect(contacted).toEqual([]);
  });
});

describe("routing", () => {
  it("PUT /mask → 405 method_not_allowed", async () => {
    const response = await post("/mask", new Uint8Array(1)).then(() => fetchWith("PUT", "/mask"));
    expect(response.status).toBe(405);
    expect(await errorCode(response)).toBe("method_not_allowed");
  });

  it("unknown path → 404 not_found", async () => {
    const response = await get("/no-such-endpoint");
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe("not_found");
  });
});

async function fetchWith(method: string, path: string): Promise<Response> {
  const { SELF } = await import("cloudflare:test");
  return SELF.fetch(`http://edge.test${path}`, { method, body: "x" });
}
