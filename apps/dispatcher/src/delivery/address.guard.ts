/**
 * Server-side request forgery guard: decides whether a callback may connect to an IP address.
 * Pure logic (no I/O), so every range is unit-tested; the sender applies it to the address the
 * connection will actually use (after DNS), never to the host name.
 */

export type IpFamily = 4 | 6;

/** An IP address as a number, so ranges are simple prefix comparisons. */
export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  base: bigint;
  prefix: number;
  /** The text it was parsed from, used in messages. */
  text: string;
}

export type AddressVerdict = { allowed: true } | { allowed: false; range: string; reason: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Parses dotted-quad IPv4 (exactly four decimal parts, as the URL parser normalizes them). */
function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Parses IPv6 text, including `::` compression, an embedded dotted quad and a `%zone` suffix. */
function parseIpv6(input: string): bigint | null {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;

  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    // An embedded IPv4 address stands for the last two 16-bit groups.
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    // Keep `::` when the dotted quad followed it; drop the single colon that separated it otherwise.
    const before = text.slice(0, lastColon + 1);
    text = before.endsWith('::') ? before : before.slice(0, -1);
  }

  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  for (const g of [...head, ...rest]) if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 && known !== 8) return null;
  if (halves.length === 2 && known > 7) return null;
  const groups = [
    ...head.map((g) => parseInt(g, 16)),
    ...new Array<number>(8 - known).fill(0),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail,
  ];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses an IPv4 or IPv6 address (IPv6 may be in brackets, as in a URL host). Null if neither. */
export function parseIp(text: string): ParsedIp | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  if (!text.includes(':')) return null;
  const v6 = parseIpv6(text);
  return v6 === null ? null : { family: 6, value: v6 };
}

/** Parses `address/prefix` (a bare address means a single host). Throws on a malformed value. */
export function parseCidr(text: string): Cidr {
  const [addr, prefixText, extra] = text.trim().split('/');
  const ip = parseIp(addr);
  if (!ip || extra !== undefined)
    throw new Error(`"${text}" is not a CIDR range (e.g. 127.0.0.0/8 or ::1/128)`);
  const bits = BITS[ip.family];
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new Error(`"${text}" has a prefix outside 0..${bits}`);
  const shift = BigInt(bits - prefix);
  return { family: ip.family, base: (ip.value >> shift) << shift, prefix, text: text.trim() };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt(BITS[ip.family] - cidr.prefix);
  return ip.value >> shift === cidr.base >> shift;
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) reaches the IPv4 host, so it is judged as that
 * IPv4 address; otherwise `::ffff:127.0.0.1` would slip past the loopback rule.
 */
export function unmapIpv4(ip: ParsedIp): ParsedIp {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

/** Ranges blocked unless allowed explicitly: everything that is not the public internet. */
export const BLOCKED_RANGES: ReadonlyArray<{ cidr: Cidr; reason: string }> = (
  [
    ['0.0.0.0/8', 'this-network'],
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'carrier-grade NAT'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local (includes cloud metadata 169.254.169.254)'],
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'IETF protocol assignments'],
    ['192.0.2.0/24', 'documentation'],
    ['192.88.99.0/24', '6to4 relay'],
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'benchmarking'],
    ['198.51.100.0/24', 'documentation'],
    ['203.0.113.0/24', 'documentation'],
    ['224.0.0.0/4', 'multicast'],
    ['240.0.0.0/4', 'reserved (includes broadcast)'],
    // ::/8 holds ::, ::1, IPv4-compatible and NAT64 (64:ff9b::/96) addresses; mapped ones are
    // unmapped before this table is consulted.
    ['::/8', 'loopback, unspecified or IPv4-embedding IPv6'],
    ['100::/64', 'discard-only'],
    ['2001::/32', 'Teredo'],
    ['2001:db8::/32', 'documentation'],
    ['2002::/16', '6to4'],
    ['fc00::/7', 'unique local (private)'],
    ['fe80::/10', 'link-local'],
    ['fec0::/10', 'site-local'],
    ['ff00::/8', 'multicast'],
  ] as const
).map(([text, reason]) => ({ cidr: parseCidr(text), reason }));

/**
 * Decides whether a connection to `address` may be made. `allowed` ranges win over the blocked
 * table (that is how tests and local development reach 127.0.0.1). Anything that is not an IP
 * address is refused: the caller must pass resolved addresses only.
 */
export function checkAddress(address: string, allowed: readonly Cidr[]): AddressVerdict {
  const parsed = parseIp(address);
  if (!parsed) return { allowed: false, range: '-', reason: 'not an IP address' };
  const ip = unmapIpv4(parsed);
  if (allowed.some((c) => cidrContains(c, ip) || cidrContains(c, parsed))) return { allowed: true };
  const hit = BLOCKED_RANGES.find((r) => cidrContains(r.cidr, ip));
  return hit ? { allowed: false, range: hit.cidr.text, reason: hit.reason } : { allowed: true };
}
