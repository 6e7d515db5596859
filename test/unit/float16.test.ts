/**
 * FP16 tensor bytes: the GPU client's half-size input. Checked on values whose half encodings
 * are known from IEEE 754 (and numpy), on rounding ties, and on the input range of the model.
 */
import { describe, expect, it } from "vitest";
import { decodeFloat16, encodeFloat16 } from "../../core/oip";

const halfBits = (values: number[]) => {
  const bytes = encodeFloat16(Float32Array.from(values));
  return Array.from({ length: values.length }, (_, i) => bytes[i * 2] | (bytes[i * 2 + 1] << 8));
};

describe("FP16 encoding", () => {
  it("encodes known values", () => {
    expect(halfBits([0, -0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 1 / 3])).toEqual([
      0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0400, 0x0001, 0x3555,
    ]);
  });

  it("saturates to infinity, keeps NaN, flushes what is below the smallest subnormal", () => {
    expect(halfBits([65520, -1e9, Infinity, 2 ** -26])).toEqual([0x7c00, 0xfc00, 0x7c00, 0x0000]);
    expect(Number.isNaN(decodeFloat16(encodeFloat16(Float32Array.of(NaN)))[0])).toBe(true);
  });

  it("rounds ties to even", () => {
    // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): even is 1.
    expect(halfBits([1 + 2 ** -11, 1 + 3 * 2 ** -11])).toEqual([0x3c00, 0x3c02]);
  });

  it("round-trips the normalised pixel range within half a unit in the last place", () => {
    // The model's inputs lie in about [-2.2, 2.7] after ImageNet mean/std.
    const values = Float32Array.from({ length: 10_001 }, (_, i) => -2.2 + (4.9 * i) / 10_000);
    const back = decodeFloat16(encodeFloat16(values));
    for (let i = 0; i < values.length; i++) {
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(values[i]) || 2 ** -14)) - 10);
      expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(ulp / 2);
    }
  });
});
