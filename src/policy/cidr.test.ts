import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileIpRanges, isValidIpRange } from './cidr.js';

describe('CIDR matching', () => {
  it('matches IPv4 and IPv6 ranges, single addresses and IPv4-mapped IPv6', () => {
    const m = compileIpRanges(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1']);
    expect(m('10.200.3.4')).toBe(true);
    expect(m('11.0.0.1')).toBe(false);
    expect(m('192.168.1.7')).toBe(true);
    expect(m('192.168.1.8')).toBe(false);
    expect(m('2001:db8:ffff::1')).toBe(true);
    expect(m('2001:db9::1')).toBe(false);
    expect(m('::1')).toBe(true);
    expect(m('::ffff:10.1.2.3')).toBe(true);
    expect(m(null)).toBe(false);
    expect(m('not an ip')).toBe(false);
  });

  it('keeps the families apart: an IPv6 range admits no IPv4 client (BlockList alone would)', () => {
    const v6Only = compileIpRanges(['::/0']);
    expect(v6Only('2001:db8::1')).toBe(true);
    expect(v6Only('10.1.2.3')).toBe(false);
    expect(v6Only('::ffff:10.1.2.3')).toBe(false);
    const mappedRange = compileIpRanges(['::ffff:10.0.0.0/8']);
    expect(mappedRange('10.9.9.9')).toBe(true);
    expect(mappedRange('::ffff:a09:909')).toBe(true);
    expect(mappedRange('11.0.0.1')).toBe(false);
    expect(isValidIpRange('::ffff:10.0.0.0/33')).toBe(false);
    expect(compileIpRanges(['fe80::/10'])('fe80::1%eth0')).toBe(true);
    expect(isValidIpRange('10.0.0.0%eth0/8')).toBe(false);
  });

  it('gives the same verdicts when it meets an address again, past its memory of recent ones', () => {
    const m = compileIpRanges(['10.0.0.0/24']);
    const addresses = Array.from({ length: 600 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const first = addresses.map(m);
    expect(addresses.map(m)).toEqual(first);
    expect(first.filter(Boolean)).toHaveLength(256);
  });

  it('refuses malformed ranges', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.300/8',
      '2001:db8::/129',
      'example.com/8',
      '10.0.0.0/x',
    ]) {
      expect(isValidIpRange(bad)).toBe(false);
    }
    expect(isValidIpRange('0.0.0.0/0')).toBe(true);
  });

  it('agrees with node BlockList on random IPv4 addresses and prefixes', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (net, ip, prefix) => {
        const list = new BlockList();
        list.addSubnet(net, prefix, 'ipv4');
        expect(compileIpRanges([`${net}/${prefix}`])(ip)).toBe(list.check(ip, 'ipv4'));
      }),
    );
  });

  it('agrees with node BlockList on random IPv6 addresses and prefixes', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.ipV6(), fc.integer({ min: 0, max: 128 }), (net, ip, prefix) => {
        const list = new BlockList();
        list.addSubnet(net, prefix, 'ipv6');
        const expected = list.check(ip, 'ipv6');
        expect(compileIpRanges([`${net}/${prefix}`])(ip)).toBe(expected);
      }),
    );
  });
});
