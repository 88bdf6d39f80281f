import { describe, expect, it } from 'vitest';
import { createFakeKeys } from '../../test/fixtures/scan-corpus/fake-keys.js';
import { createSecretDetector } from '../detect/secrets/index.js';
import { createLogScanner } from './logs.js';
import { rawFinding } from './source.js';
import type { RawFinding } from './types.js';

const detector = createSecretDetector();
const keys = createFakeKeys(8);

function scanLog(pieces: string[]): RawFinding[] {
  const out: RawFinding[] = [];
  const scanner = createLogScanner(
    detector,
    'app.log',
    (f) => out.push(f),
    (s) => rawFinding(s, 'app.log'),
  );
  for (const p of pieces) scanner.push(p);
  scanner.end();
  return out;
}

describe('createLogScanner', () => {
  it('scans JSON lines raw, and decoded where a record holds escapes, naming the JSONPath', () => {
    const gh = keys['github-token']!().value;
    const pem = keys['private-key-pkcs8']!().value;
    const nested = JSON.stringify({ api_key: keys['generic-secret']!().value });
    const lines = [
      JSON.stringify({ level: 'info', msg: 'ok' }),
      JSON.stringify({ level: 'warn', headers: { 'x-token': gh } }),
      JSON.stringify({ level: 'error', cfg: { key: pem } }),
      JSON.stringify({ level: 'debug', body: nested }),
    ];
    const found = scanLog([`  ${lines.join('\n')}\n`]).map((f) => [
      f.ruleId,
      f.line,
      f.jsonPath ?? '-',
    ]);
    expect(found).toEqual([
      ['github-token', 2, '-'],
      ['private-key', 3, '-'],
      ['generic-secret', 4, '$.body'],
    ]);
  });

  it('gives the same findings however the stream is split', () => {
    const gh = keys['github-token']!().value;
    const text = `${JSON.stringify({ a: gh })}\n${JSON.stringify({ b: 'x' })}\n${JSON.stringify({ c: [gh.slice(0, 4), gh] })}\n`;
    const whole = scanLog([text]).map((f) => [f.line, f.column]);
    expect(whole).toEqual([
      [1, 7],
      [3, 15],
    ]);
    for (let cut = 1; cut < text.length; cut += 7) {
      expect(scanLog([text.slice(0, cut), text.slice(cut)]).map((f) => [f.line, f.column])).toEqual(
        whole,
      );
    }
  });

  it('scans other logs as plain text, across lines', () => {
    const pem = keys['private-key']!().value;
    const found = scanLog([`2024-01-01 INFO start\nloaded key:\n${pem}\n`]);
    expect(found.map((f) => [f.ruleId, f.line])).toEqual([['private-key', 3]]);
  });

  it('honours bastion:allow on a JSON line', () => {
    const gh = keys['github-token']!().value;
    expect(
      scanLog([`${JSON.stringify({ note: 'bastion:allow', t: gh })}\n`])[0]?.inlineAllowed,
    ).toBe(true);
  });
});
