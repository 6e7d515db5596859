/**
 * Binarises a mask in place: values ≥ `level` become 255, the rest 0.
 * @example threshold(mask, 128); // a hard cut-out, no soft edge
 */
export function threshold(mask: Uint8Array, level = 128): void {
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i] >= level ? 255 : 0;
}
