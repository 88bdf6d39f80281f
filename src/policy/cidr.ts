import { BlockList, isIP } from 'node:net';

/** A compiled list of CIDR ranges (IPv4 and IPv6), matched by node's BlockList. */
export type IpMatcher = (ip: string | null) => boolean;

/** Throws `RangeError` on a malformed range; callers validate scopes before storing them. */
export function compileIpRanges(ranges: readonly string[]): IpMatcher {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', bits] = range.split('/');
    const family = isIP(address);
    if (family === 0) throw new RangeError(`not an IP range: ${range.slice(0, 64)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      throw new RangeError(`not an IP range: ${range.slice(0, 64)}`);
    }
    list.addSubnet(address, prefix, type);
  }
  return function isInRanges(ip: string | null): boolean {
    if (ip === null) return false;
    const family = isIP(ip);
    if (family === 0) return false;
    return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

export function isValidIpRange(range: string): boolean {
  try {
    compileIpRanges([range]);
    return true;
  } catch {
    return false;
  }
}
