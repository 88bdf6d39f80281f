import { isIP } from 'node:net';

/** A compiled list of CIDR ranges (IPv4 and IPv6), matched byte by byte without allocation. */
export type IpMatcher = (ip: string | null) => boolean;

interface Range {
  bytes: Uint8Array;
  prefix: number;
}

/** Throws `RangeError` on a malformed range; callers validate scopes before storing them. */
export function compileIpRanges(ranges: readonly string[]): IpMatcher {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const range of ranges) {
    const [address = '', bits] = range.split('/');
    const bytes = parseIp(address);
    const max = bytes?.length === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (bytes === undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || prefix > max) {
      throw new RangeError(`not an IP range: ${range.slice(0, 64)}`);
    }
    (bytes.length === 4 ? v4 : v6).push({ bytes, prefix });
  }
  return function isInRanges(ip: string | null): boolean {
    if (ip === null) return false;
    const bytes = parseIp(ip);
    if (bytes === undefined) return false;
    for (const r of bytes.length === 4 ? v4 : v6) if (matches(bytes, r)) return true;
    return false;
  };
}

function matches(bytes: Uint8Array, r: Range): boolean {
  const whole = r.prefix >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== r.bytes[i]) return false;
  const rest = r.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] as number) & mask) === ((r.bytes[whole] as number) & mask);
}

/** 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address becomes its IPv4 form). */
export function parseIp(ip: string): Uint8Array | undefined {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split('.'), Number);
  if (family !== 6) return undefined;
  const zone = ip.indexOf('%');
  const text = zone === -1 ? ip : ip.slice(0, zone);
  const out = new Uint8Array(16);
  const [head = '', tail] = text.split('::');
  const tailGroups = tail === undefined ? [] : groups(tail);
  const headGroups = groups(head);
  const all =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<number>(8 - headGroups.length - tailGroups.length).fill(0),
          ...tailGroups,
        ];
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  const isMapped =
    out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return isMapped ? out.slice(12) : out;
}

/** Hex groups; a trailing dotted IPv4 part counts as two groups. */
function groups(part: string): number[] {
  if (part === '') return [];
  const out: number[] = [];
  for (const g of part.split(':')) {
    if (g.includes('.')) {
      const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
      out.push((a << 8) | b, (c << 8) | d);
    } else out.push(parseInt(g, 16));
  }
  return out;
}

export function isValidIpRange(range: string): boolean {
  try {
    compileIpRanges([range]);
    return true;
  } catch {
    return false;
  }
}
