import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeKeys, inContext, ruleOf } from '../../../test/fixtures/scan-corpus/fake-keys.js';
import { createSecretDetector, type DetectorWork } from './detect.js';

const detector = createSecretDetector();
const generatorIds = Object.keys(createFakeKeys(1));

/** Prose and code fragments with no credential in them. */
const filler = fc.array(
  fc.constantFrom(
    'const total = items.length;',
    'return response.json();',
    '# notes about the release',
    'if (user.isAdmin) {',
    '}',
    '',
    'SELECT id, name FROM users WHERE id = $1;',
    'The quick brown fox jumps over the lazy dog.',
    'logger.info({ event: "request_done", ms: 12 });',
    'max_tokens: 1024',
  ),
  { maxLength: 12 },
);

function workDelta(before: DetectorWork, after: DetectorWork): DetectorWork {
  return {
    prefilterChars: after.prefilterChars - before.prefilterChars,
    regexScans: after.regexScans - before.regexScans,
    candidates: after.candidates - before.candidates,
    validatedChars: after.validatedChars - before.validatedChars,
  };
}

describe('createSecretDetector properties', () => {
  it('finds a generated key anywhere among ordinary lines, with exact offsets and a safe preview', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...generatorIds),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        filler,
        filler,
        (id, seed, before, after) => {
          const { value } = createFakeKeys(seed)[id]!();
          const text = [...before, inContext(ruleOf(id), value), ...after].join('\n');
          const findings = detector.find(text);
          expect(findings.map((f) => f.ruleId)).toEqual([ruleOf(id)]);
          expect(text.slice(findings[0]!.start, findings[0]!.end)).toBe(value);
          expect(findings[0]!.preview.includes(value)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns ordered, disjoint, in-range findings for any text', () => {
    const unit = fc.constantFrom(
      ...'sk-projAKIAghp_eyJ.=: "\n/+xoxb0123456789abcdefQ~-----BEGIN PRIVATE KEY',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 400 }), (text) => {
        let end = 0;
        for (const f of detector.find(text)) {
          expect(f.start).toBeGreaterThanOrEqual(end);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          end = f.end;
        }
      }),
    );
  });

  // Hostile shapes: keyword prefixes repeated so that every offset could start a match, long
  // runs of token characters, unterminated PEM armour, and key ids that each open a companion
  // window. Linear time is asserted on the work the detector does, not on the clock; the
  // per-start work of each regex is bounded by checkLinearPattern (see pattern-check.test.ts).
  const MB = 1 << 20;
  const keys = createFakeKeys(99);
  const adversarial: [string, () => string][] = [
    ['repeated sk-proj- prefixes', () => 'sk-proj-'.repeat(MB / 8)],
    ['one token run', () => 'a'.repeat(MB)],
    ['repeated JWT headers', () => 'eyJ'.repeat(MB / 3)],
    ['dotted JWT look-alikes', () => 'eyJaaaaaaaaaa.'.repeat(MB / 14)],
    ['unterminated PEM armour', () => '-----BEGIN RSA PRIVATE KEY-----\nMIIE'.repeat(MB / 36)],
    ['assignments without values', () => 'api_key = token: secret=\n'.repeat(MB / 25)],
    ['URLs with user info', () => 'https://u:'.repeat(MB / 10)],
    [
      'many AWS key ids',
      () => Array.from({ length: MB / 21 }, () => keys['aws-access-key-id']!().value).join(' '),
    ],
    [
      'many high-entropy assignments',
      () =>
        Array.from({ length: MB / 48 }, () =>
          inContext('generic-secret', keys['generic-secret']!().value),
        ).join('\n'),
    ],
  ];

  it.each(adversarial)('does linear work on 1 MB of %s', (_name, make) => {
    const text = make();
    const d = createSecretDetector();
    const before = { ...d.work };
    d.find(text);
    const work = workDelta(before, d.work);
    expect(work.prefilterChars).toBeLessThanOrEqual(text.length);
    // One whole-text scan per rule, plus companion windows that never overlap by more than a match.
    expect(work.regexScans).toBeLessThanOrEqual(d.rules.length + text.length / 20);
    expect(work.validatedChars).toBeLessThanOrEqual(2 * text.length);
    expect(work.candidates).toBeLessThanOrEqual(text.length / 8);
  });
});
