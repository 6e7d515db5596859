import type { Rgba } from "../image";

// Hex only: it survives a query string without escaping (the `#` is optional because a bare
// `#` in a URL starts the fragment).
const HEX = /^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/**
 * Parses a hex colour: `rgb`, `rgba`, `rrggbb` or `rrggbbaa`, with or without `#`, any case.
 * Alpha defaults to 255. Anything else (names, `rgb()`, spaces) is null.
 * @example parseColor("#0f08") // [0, 255, 0, 136]
 */
export function parseColor(text: string): Rgba | null {
  const match = HEX.exec(text);
  if (!match) return null;
  let hex = match[1];
  if (hex.length <= 4) hex = hex.replace(/./g, (digit) => digit + digit);
  if (hex.length === 6) hex += "ff";
  const channel = (i: number) => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return [channel(0), channel(1), channel(2), channel(3)];
}
