import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeKeys } from '../../test/fixtures/scan-corpus/fake-keys.js';
import { createSecretDetector } from '../detect/secrets/index.js';
import { createTextScanner, type LocatedSecret, type TextScannerOptions } from './text-scanner.js';

const detector = createSecretDetector();
const keys = createFakeKeys(5);

function scanPieces(pieces: readonly string[], opts?: TextScannerOptions): LocatedSecret[] {
  const out: LocatedSecret[] = [];
  const scanner = createTextScanner(detector, (s) => out.push(s), opts);
  for (const p of pieces) scanner.push(p);
  scanner.end();
  return out;
}

function summary(found: LocatedSecret[]) {
  return found.map((s) => [
    s.finding.ruleId,
    s.line,
    s.column,
    s.endLine,
    s.endColumn,
    s.finding.start,
    s.inlineAllowed,
  ]);
}

describe('createTextScanner', () => {
  it('reports 1-based lines and columns, and the end of multi-line secrets', () => {
    const gh = keys['github-token']!().value;
    const pem = keys['private-key-pkcs8']!().value;
    const text = `line one\n  token = "${gh}"\n${pem}\nlast`;
    const found = summary(scanPieces([text]));
    const pemLines = pem.split('\n');
    expect(found).toEqual([
      ['github-token', 2, 12, 2, 52, text.indexOf(gh), false],
      [
        'private-key',
        3,
        1,
        2 + pemLines.length,
        pemLines.at(-1)!.length + 1,
        text.indexOf(pem),
        false,
      ],
    ]);
  });

  it('honours bastion:allow on the line of the secret only', () => {
    const a = keys['npm-token']!().value;
    const b = keys['npm-token']!().value;
    const found = scanPieces([`x = "${a}" # bastion:allow\n# bastion:allow\ny = "${b}"\n`]);
    expect(found.map((s) => s.inlineAllowed)).toEqual([true, false]);
  });

  it('starts counting at firstLine', () => {
    const gh = keys['github-token']!().value;
    expect(scanPieces([`a\n${gh}`], { firstLine: 40 })[0]?.line).toBe(41);
  });

  it('gives the one-piece result for any split of the stream, small chunks included', () => {
    const lines = [
      'const a = 1;',
      `token: "${keys['github-token']!().value}"`,
      keys['private-key']!().value,
      'x'.repeat(300),
      `aws_access_key_id=${keys['aws-access-key-id']!().value}`,
      `aws_secret_access_key=${keys['aws-secret-access-key']!().value}`,
      `Authorization: Bearer ${keys.jwt!().value} # bastion:allow`,
      '',
    ];
    // Long enough for several chunk flushes: each holds chunkChars plus an overlap of about
    // 17 KB (the longest possible match).
    const text = lines.join('\n').repeat(30);
    const whole = summary(scanPieces([text]));
    expect(whole).toHaveLength(150);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const at = [0, ...cuts.sort((x, y) => x - y), text.length];
          const pieces = at.slice(1).map((end, i) => text.slice(at[i], end));
          expect(summary(scanPieces(pieces, { chunkChars: 512 }))).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('holds at most a chunk and an overlap in memory on a long stream', () => {
    const gh = keys['github-token']!().value;
    const found: LocatedSecret[] = [];
    const scanner = createTextScanner(detector, (s) => found.push(s), { chunkChars: 4096 });
    for (let i = 0; i < 2000; i++)
      scanner.push(`line ${i} ${i % 500 === 0 ? gh : 'nothing here'}\n`);
    scanner.end();
    expect(found.map((s) => s.line)).toEqual([1, 501, 1001, 1501]);
  });
});
