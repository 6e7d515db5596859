import type { Segmented } from "../pipeline/segment";

/** An image an effect produced: 8-bit grey or RGBA, row-major. */
export interface Rendered {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 4;
}

/**
 * What the product does with a salient mask. Each effect is one file here and one entry in
 * `EFFECTS`; its name is its endpoint (`/mask`, `/remove`, …).
 */
export interface Effect {
  name: string;
  summary: string;
  render(segmented: Segmented): Rendered;
}
