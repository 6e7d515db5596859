import { describe, expect, it } from "vitest";
import { encodePng } from "../../core/encode/png";
import { channel, decode, mismatches } from "../helpers";

async function roundTrip(pixels: Uint8Array, width: number, height: number, channels: 1 | 4) {
  const parts = await encodePng(pixels, width, height, channels);
  return decode(new Uint8Array(await new Blob(parts).arrayBuffer()));
}

describe("PNG encoder", () => {
  const width = 301;
  const height = 157; // odd sizes, several compressed chunks
  const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 9) * 13) & 255);

  it("writes grey images another decoder reads back exactly", async () => {
    const grey = pattern(width * height);
    const image = await roundTrip(grey, width, height, 1);
    expect([image.width, image.height]).toEqual([width, height]);
    expect(mismatches(channel(image.rgba, 0), grey)).toBe(0);
    expect(mismatches(channel(image.rgba, 2), grey)).toBe(0);
  });

  it("writes RGBA images another decoder reads back exactly", async () => {
    const rgba = pattern(width * height * 4);
    const image = await roundTrip(rgba, width, height, 4);
    expect(mismatches(image.rgba, rgba)).toBe(0);
  });

  it("handles a one-pixel image", async () => {
    const image = await roundTrip(Uint8Array.from([9, 8, 7, 6]), 1, 1, 4);
    expect(Array.from(image.rgba)).toEqual([9, 8, 7, 6]);
  });
});
