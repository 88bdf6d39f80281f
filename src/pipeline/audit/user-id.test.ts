import { describe, expect, it } from 'vitest';
import { Secret } from '../../log/secret.js';
import type { SecretHandle } from '../../secrets/types.js';
import { configuredUserIdKey, createEndUserPseudonym } from './user-id.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

/** A resolver that knows two references, as env: or file: would give them. */
const secrets = {
  handle(ref: string): Promise<SecretHandle> {
    const values: Record<string, string> = { 'env:A': KEY_A, 'env:B': KEY_B, 'env:SHORT': 'x' };
    const value = new Secret(values[ref] ?? '');
    return Promise.resolve({ ref, current: () => value });
  },
};

describe('end-user pseudonyms', () => {
  it('are deterministic under one key and differ under another', async () => {
    const a = createEndUserPseudonym(await configuredUserIdKey({ userIdKey: 'env:A' }, secrets), {
      readable: false,
    });
    const again = createEndUserPseudonym(
      await configuredUserIdKey({ userIdKey: 'env:A' }, secrets),
      { readable: false },
    );
    const b = createEndUserPseudonym(await configuredUserIdKey({ userIdKey: 'env:B' }, secrets), {
      readable: false,
    });
    expect(a('jane@example.com')).toMatch(/^u_[0-9a-f]{32}$/);
    expect(a('jane@example.com')).toBe(again('jane@example.com'));
    expect(a('jane@example.com')).not.toBe(a('john@example.com'));
    expect(a('jane@example.com')).not.toBe(b('jane@example.com'));
  });

  it('derive a distinct key from the chain key, and none without either', async () => {
    const own = await configuredUserIdKey({ userIdKey: 'env:A' }, secrets);
    const derived = await configuredUserIdKey({ chainKey: 'env:A' }, secrets);
    expect(derived).toBeDefined();
    expect(derived?.equals(own as Buffer)).toBe(false);
    expect(await configuredUserIdKey({}, secrets)).toBeUndefined();
    expect(createEndUserPseudonym(undefined, { readable: true })('jane')).toBeUndefined();
  });

  it('refuse a key shorter than 32 bytes', async () => {
    await expect(configuredUserIdKey({ userIdKey: 'env:SHORT' }, secrets)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
  });

  it('keep a readable excerpt with credentials masked when asked', async () => {
    const key = await configuredUserIdKey({ userIdKey: 'env:A' }, secrets);
    const readable = createEndUserPseudonym(key, { readable: true });
    expect(readable('alice')).toMatch(/^u_[0-9a-f]{32}~alice$/);
    expect(readable('sk-proj-0123456789abcdef0123')).toMatch(/~\[redacted\]$/);
  });
});
