import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './sign.js';

describe('webhook signatures', () => {
  it('verifies with the secret, refuses another secret, a changed body and an old timestamp', () => {
    const header = signPayload('s3cret', '{"a":1}', 1_000);
    expect(header).toMatch(/^t=1000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', '{"a":1}', header, 1_100)).toBe(true);
    expect(verifySignature('other', '{"a":1}', header, 1_100)).toBe(false);
    expect(verifySignature('s3cret', '{"a":2}', header, 1_100)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', header, 2_000)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', 'garbage', 1_000)).toBe(false);
  });
});
