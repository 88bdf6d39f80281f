import { describe, expect, it } from 'vitest';
import type { KeyScopes, VirtualKeyRecord } from '../store/types.js';
import { createScopeCompiler } from './compiled-scopes.js';

const key = (scopes: KeyScopes): VirtualKeyRecord => ({
  id: 'key_1',
  name: 'k',
  env: 'prod',
  prefix: 'bk_prod_abcdefgh',
  hash: '0'.repeat(64),
  createdAtMs: 0,
  expiresAtMs: null,
  revokedAtMs: null,
  scopes,
});

describe('compiled scopes', () => {
  it("applies a key's changed scopes on its next request, however the record changed", () => {
    const compiled = createScopeCompiler();
    const models = ['gpt-4o*'];
    expect(compiled(key({ models })).models?.('gpt-4o-mini')).toBe(true);
    expect(compiled(key({ models })).models?.('claude-haiku')).toBe(false);
    // Edited in place, then a new record from the store, then a scope removed.
    models[0] = 'claude-*';
    expect(compiled(key({ models })).models?.('claude-haiku')).toBe(true);
    expect(compiled(key({ models: ['claude-*'], endpoints: ['embeddings'] })).endpoints).toEqual(
      new Set(['embeddings']),
    );
    expect(compiled(key({ models: ['claude-*'] })).endpoints).toBeUndefined();
    expect(compiled(key({ ipRanges: ['10.0.0.0/8'] })).ip?.('10.1.2.3')).toBe(true);
    expect(compiled(key({ ipRanges: ['10.0.0.0/8'] })).ip?.('11.1.2.3')).toBe(false);
  });
});
