import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintSecret, maskSecret } from './mask.js';

const secretLike = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/='),
  minLength: 8,
  maxLength: 300,
});

describe('maskSecret', () => {
  it('shows at most four leading characters and the length', () => {
    expect(maskSecret('abcdefghijklmnopqrstu')).toBe('abcd…(21 chars)');
    expect(maskSecret('abcdefghij')).toBe('ab…(10 chars)');
    expect(maskSecret('abc')).toBe('…(3 chars)');
  });

  it('never contains the secret, nor more than a quarter of it', () => {
    fc.assert(
      fc.property(secretLike, (secret) => {
        const preview = maskSecret(secret);
        expect(preview.includes(secret)).toBe(false);
        const shown = preview.slice(0, preview.indexOf('…'));
        expect(shown.length).toBeLessThanOrEqual(secret.length / 4);
      }),
    );
  });
});

describe('fingerprintSecret', () => {
  it('is stable, 32 hex characters, and never the secret', () => {
    const fp = fingerprintSecret('github-token', 'value-one-123456');
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintSecret('github-token', 'value-one-123456')).toBe(fp);
  });

  it('differs by rule and by key', () => {
    const fp = fingerprintSecret('github-token', 'value-one-123456');
    expect(fingerprintSecret('npm-token', 'value-one-123456')).not.toBe(fp);
    expect(fingerprintSecret('github-token', 'value-one-123456', 'k1')).not.toBe(fp);
    expect(fingerprintSecret('github-token', 'value-one-123456', 'k1')).not.toBe(
      fingerprintSecret('github-token', 'value-one-123456', 'k2'),
    );
  });
});
