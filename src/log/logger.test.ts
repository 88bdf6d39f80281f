import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { createScrubber, scrubber } from './scrub.js';
import { Secret } from './secret.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination: stream }) };
}

describe('Secret', () => {
  it('prints [redacted] in every textual form', () => {
    const s = new Secret('sk-canary-secret-1');
    expect(`${String(s)} ${JSON.stringify({ s })} ${inspect(s)}`).not.toContain('canary');
    expect(s.reveal()).toBe('sk-canary-secret-1');
  });
});

describe('logger', () => {
  it('redacts credential headers, Secret values and key-shaped text in errors', () => {
    scrubber.addKnownSecret('canary-exact-value-123');
    const { lines, log } = capture();
    log.info({
      headers: { authorization: 'Bearer bk_dev_abcdefghijkl', 'x-api-key': 'k1' },
      key: new Secret('s3cr3t-value'),
    });
    log.error({
      err: new Error('failed with canary-exact-value-123', {
        cause: new Error('sk-proj-1234567890abc'),
      }),
    });
    log.flush();
    const text = lines.join('');
    for (const leak of [
      'bk_dev_abcdefghijkl',
      'k1"',
      's3cr3t-value',
      'canary-exact-value-123',
      'sk-proj-1234567890abc',
    ]) {
      expect(text).not.toContain(leak);
    }
    expect(text).toContain('[redacted]');
  });
});

describe('scrubber', () => {
  it('masks provider-shaped keys and leaves ordinary text alone', () => {
    const s = createScrubber();
    expect(s.scrub('key sk-ant-api03-abcdefgh and AKIAABCDEFGHIJKLMNOP, all fine')).toBe(
      'key [redacted] and [redacted], all fine',
    );
    expect(s.scrub('the model said hello')).toBe('the model said hello');
  });
});
