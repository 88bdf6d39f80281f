// The cost of one source-IP scope check (a key with `ipRanges`), per request: the gateway's
// matcher (src/policy/cidr.ts, over node:net BlockList) against the hand-written byte matcher
// it replaced, and against `isIP` alone, the floor (any matcher must at least classify the
// string). Reported as ratios measured in the same run, medians of interleaved rounds.
// Run after `npm run build`:  node bench/cidr.js   (BENCH_CIDR_CHECKS, default 200000 per round)
import console from 'node:console';
import { isIP } from 'node:net';
import process from 'node:process';
import { compileIpRanges } from '../dist/policy/cidr.js';

const CHECKS = Number(process.env.BENCH_CIDR_CHECKS ?? 200_000);
const ROUNDS = 7;
const RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.1.0/24', '2001:db8::/32', '::1'];
// The gateway remembers recent verdicts per key: a few repeat callers hit that memory, a
// different address on every check (1,024 in turn, more than it keeps) never does.
const spread = (make) => Array.from({ length: 1024 }, (_, i) => make(i >> 8, i & 255));
const CLIENTS = {
  'ipv4, repeat callers': ['10.1.2.3', '8.8.8.8', '127.0.0.1', '192.168.1.9'],
  'ipv4, new caller each time': spread((a, b) => `10.${a}.${b}.7`),
  'ipv6, repeat callers': ['2001:db8::5', '2a00:1450:4001:81c::200e', '::1', 'fe80::1%eth0'],
  'ipv6, new caller each time': spread((a, b) => `2001:db8:${a}::${b.toString(16)}`),
  'ipv4-mapped, repeat callers': ['::ffff:10.1.2.3', '::ffff:8.8.8.8'],
  'ipv4-mapped, new caller each time': spread((a, b) => `::ffff:10.${a}.${b}.9`),
};

/**
 * The hand-written matcher the gateway used before BlockList (IPv4-mapped addresses folded to
 * IPv4), kept here only as the yardstick: bytes parsed per check, then compared per range.
 */
function handWritten(ranges) {
  const parsed = ranges.map((r) => {
    const [address, bits] = r.split('/');
    const bytes = parseIp(address);
    return { bytes, prefix: bits === undefined ? bytes.length * 8 : Number(bits) };
  });
  const matches = (bytes, r) => {
    const whole = r.prefix >> 3;
    for (let i = 0; i < whole; i++) if (bytes[i] !== r.bytes[i]) return false;
    const rest = r.prefix & 7;
    if (rest === 0) return true;
    const mask = (0xff << (8 - rest)) & 0xff;
    return (bytes[whole] & mask) === (r.bytes[whole] & mask);
  };
  return (ip) => {
    const bytes = parseIp(ip);
    if (bytes === undefined) return false;
    return parsed.some((r) => r.bytes.length === bytes.length && matches(bytes, r));
  };
}

function parseIp(ip) {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split('.'), Number);
  if (family !== 6) return undefined;
  const zone = ip.indexOf('%');
  const [head = '', tail] = (zone === -1 ? ip : ip.slice(0, zone)).split('::');
  const groups = (part) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  const isMapped =
    out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return isMapped ? out.slice(12) : out;
}

function nsPerCheck(match, ips) {
  let hits = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) if (match(ips[i % ips.length])) hits++;
  const ns = Number(process.hrtime.bigint() - started) / CHECKS;
  if (hits < 0) throw new Error('unreachable');
  return ns;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const matchers = {
  floor: (ip) => isIP(ip) !== 0,
  'hand-written': handWritten(RANGES),
  gateway: compileIpRanges(RANGES),
};

for (const [family, ips] of Object.entries(CLIENTS)) {
  for (const ip of ips) {
    if (matchers.gateway(ip) !== matchers['hand-written'](ip)) throw new Error(`differ on ${ip}`);
  }
  const samples = Object.fromEntries(Object.keys(matchers).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, match] of Object.entries(matchers)) {
      const ns = nsPerCheck(match, ips);
      if (round > 0) samples[name].push(ns); // round 0 warms up
    }
  }
  const floor = median(samples.floor);
  const gateway = median(samples.gateway);
  const hand = median(samples['hand-written']);
  console.log(
    `cidr ${family}: gateway ${(gateway / floor).toFixed(1)}x the isIP floor, ` +
      `hand-written ${(hand / floor).toFixed(1)}x; gateway/hand-written ${(gateway / hand).toFixed(2)} ` +
      `(${gateway.toFixed(0)} ns vs ${hand.toFixed(0)} ns per check)`,
  );
}
