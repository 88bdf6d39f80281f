import { isIP } from 'node:net';

/**
 * The network an address belongs to, as `a.b.c.0/24` or `2001:db8:0:1::/64` (prefix lengths
 * configurable), so a key moving within its usual network is not news. Undefined for text that
 * is not an address.
 */
export function networkOf(ip: string, v4Bits: number, v6Bits: number): string | undefined {
  const family = isIP(ip);
  if (family === 4) return `${maskV4(ip, v4Bits)}/${v4Bits}`;
  if (family === 6) return `${maskV6(ip, v6Bits)}/${v6Bits}`;
  return undefined;
}

function maskV4(ip: string, bits: number): string {
  const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const masked = bits === 0 ? 0 : n - (n % 2 ** (32 - bits));
  return [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.');
}

function maskV6(ip: string, bits: number): string {
  const groups = expandV6(ip);
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const g = groups[i] ?? 0;
    out.push((keep === 0 ? 0 : g - (g % 2 ** (16 - keep))).toString(16));
  }
  // Compress the trailing zero groups the mask made (the common /64 case reads as `a:b:c:d::`).
  let end = 8;
  while (end > 0 && out[end - 1] === '0') end--;
  return end === 8 ? out.join(':') : `${out.slice(0, end).join(':')}::`;
}

/** Eight 16-bit groups; an embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two groups. */
function expandV6(ip: string): number[] {
  let text = ip.split('%')[0] ?? ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0);
  return [...left, ...zeros, ...right];
}
