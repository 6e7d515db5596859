/**
 * Which hosts url= may reach. The fetch runs inside Cloudflare's network, so the danger is
 * reaching something that trusts its callers by address: loopback, private and link-local
 * ranges, cloud metadata services. The WHATWG URL parser has already turned decimal, octal and
 * hex IPv4 spellings into dotted quads and compressed IPv6, so only canonical forms reach here.
 * Names that resolve to such addresses cannot be checked from a Worker (no DNS API); Cloudflare
 * itself refuses to connect Workers to private addresses.
 */

/** [first address, prefix length] in 32-bit form. */
const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // CGNAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata 169.254.169.254
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // TEST-NET-1
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // TEST-NET-2
  [0xcb007100, 24], // TEST-NET-3
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

function parseV4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function blockedV4(address: number): boolean {
  return BLOCKED_V4.some(([base, bits]) => Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** Expands an IPv6 literal (no brackets) to eight 16-bit groups. */
function parseV6(host: string): number[] | null {
  let text = host;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const v4 = parseV4(v4Tail[1]);
    if (v4 === null) return null;
    text = text.slice(0, -v4Tail[1].length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array(Math.max(fill, 0)).fill("0"), ...tail];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

function blockedV6(g: number[]): boolean {
  const zeroHead = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroHead(7) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  const embeddedV4 = (g[6] << 16 >>> 0) + g[7];
  if (zeroHead(5) && g[5] === 0xffff) return blockedV4(embeddedV4); // IPv4-mapped
  if (zeroHead(6)) return blockedV4(embeddedV4); // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b) return blockedV4(embeddedV4); // NAT64
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x2002) return blockedV4((g[1] << 16 >>> 0) + g[2]); // 6to4 wraps an IPv4 address
  return false;
}

const BLOCKED_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/**
 * True when the URL's host must not be fetched.
 * @example isForbiddenHost(new URL("http://[::ffff:127.0.0.1]/").hostname) // true
 */
export function isForbiddenHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (!host) return true;
  const v4 = parseV4(host);
  if (v4 !== null) return blockedV4(v4);
  if (host.includes(":")) {
    const v6 = parseV6(host.replace(/%.*$/, ""));
    return v6 === null || blockedV6(v6);
  }
  if (/^[\d.]+$/.test(host) || /^0x/i.test(host)) return true; // numeric forms the parser did not normalise
  return BLOCKED_NAMES.test(host) || !host.includes("."); // bare names reach internal DNS
}
