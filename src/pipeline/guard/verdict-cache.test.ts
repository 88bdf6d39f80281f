import { describe, expect, it } from 'vitest';
import { VerdictCache } from './verdict-cache.js';

/** A detector stand-in that counts its scans. */
function counting(): { scans: string[]; find: (text: string) => { length: number } } {
  const scans: string[] = [];
  return { scans, find: (text) => (scans.push(text), { length: text.length }) };
}

const TURN = 'Please summarise the meeting notes below in three bullet points. '.repeat(5);

describe('verdict cache', () => {
  it('scans a text resent by the same caller once, across requests', () => {
    const cache = new VerdictCache();
    const d = counting();
    const first = cache.get('pii', 'k:1', TURN, new Map(), d.find);
    const again = cache.get('pii', 'k:1', TURN, new Map(), d.find);
    expect(again).toBe(first);
    expect(d.scans).toHaveLength(1);
  });

  it('keeps callers and detectors apart', () => {
    const cache = new VerdictCache();
    const d = counting();
    cache.get('pii', 'k:1', TURN, new Map(), d.find);
    cache.get('pii', 'k:2', TURN, new Map(), d.find);
    cache.get('secrets', 'k:1', TURN, new Map(), d.find);
    expect(d.scans).toHaveLength(3);
  });

  it('hashes a text once per request for all its detectors', () => {
    const cache = new VerdictCache();
    const digests = new Map<string, string>();
    cache.get('pii', 'k:1', TURN, digests, counting().find);
    cache.get('injection', 'k:1', TURN, digests, counting().find);
    expect(digests.size).toBe(1);
  });

  it('never lets a lone surrogate share an entry with its UTF-8 replacement character', () => {
    const cache = new VerdictCache();
    const d = counting();
    const lossy = `${TURN}\ud800`;
    const replaced = `${TURN}\ufffd`;
    cache.get('pii', 'k:1', replaced, new Map(), d.find);
    cache.get('pii', 'k:1', lossy, new Map(), d.find);
    cache.get('pii', 'k:1', lossy, new Map(), d.find);
    expect(d.scans).toEqual([replaced, lossy, lossy]);
  });

  it('scans short texts every time', () => {
    const cache = new VerdictCache();
    const d = counting();
    cache.get('pii', 'k:1', TURN.slice(0, 255), new Map(), d.find);
    cache.get('pii', 'k:1', TURN.slice(0, 255), new Map(), d.find);
    expect(d.scans).toHaveLength(2);
  });

  it('is bounded, dropping the least recently used entry first', () => {
    const cache = new VerdictCache();
    const d = counting();
    const text = (i: number) => `${TURN} #${i}`;
    cache.get('pii', 'k:1', text(0), new Map(), d.find);
    cache.get('pii', 'k:1', text(1), new Map(), d.find);
    for (let i = 2; i <= 8_192; i++) {
      cache.get('pii', 'k:1', text(i), new Map(), d.find);
      // Text 0 stays in use; text 1 does not.
      if (i % 1_000 === 0) cache.get('pii', 'k:1', text(0), new Map(), d.find);
    }
    const before = d.scans.length;
    cache.get('pii', 'k:1', text(0), new Map(), d.find);
    expect(d.scans.length).toBe(before);
    cache.get('pii', 'k:1', text(1), new Map(), d.find);
    expect(d.scans.length).toBe(before + 1);
  });

  it('holds a bounded number of findings, and none of a text with very many', () => {
    const cache = new VerdictCache();
    const scans: string[] = [];
    // A caller's text full of e-mail addresses: one finding per address.
    const many = (text: string) => (scans.push(text), Array.from({ length: 65 }, (_, i) => i));
    const dense = `${TURN} dense`;
    cache.get('pii', 'k:1', dense, new Map(), many);
    cache.get('pii', 'k:1', dense, new Map(), many);
    expect(scans).toHaveLength(2);
    // 64 findings an entry: 1,024 entries fill the budget of 65,536, the 1,025th evicts the first.
    const some = (text: string) => (scans.push(text), Array.from({ length: 64 }, (_, i) => i));
    const text = (i: number) => `${TURN} #${i}`;
    for (let i = 0; i <= 1_024; i++) cache.get('pii', 'k:1', text(i), new Map(), some);
    const before = scans.length;
    cache.get('pii', 'k:1', text(1_024), new Map(), some);
    cache.get('pii', 'k:1', text(1), new Map(), some);
    expect(scans.length).toBe(before);
    cache.get('pii', 'k:1', text(0), new Map(), some);
    expect(scans.length).toBe(before + 1);
  });
});
