import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { VirtualKeyRecord } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import { createAuthenticateStage } from './authenticate.js';
import { hashVirtualKey, issueVirtualKey } from './virtual-key.js';

const clock = { now: () => 1_000, monotonicMs: () => 0 };

/** A store that answers every lookup with `record`, whatever hash it was asked for. */
function run(secret: string, record: VirtualKeyRecord | undefined) {
  const stage = createAuthenticateStage({
    keys: { findKeyByHash: () => Promise.resolve(record), findKeyByHashNow: () => record },
  });
  const ctx = {
    headers: { authorization: `Bearer ${secret}` },
    clock,
  } as unknown as RequestContext;
  const verdict = stage.run(ctx);
  return { verdict, ctx };
}

describe('authenticate', () => {
  const issued = issueVirtualKey({ name: 'a', env: 'prod', nowMs: 0 });

  it('admits the key whose record holds its hash', () => {
    const { verdict, ctx } = run(issued.secret, issued.record);
    expect(verdict).toBeUndefined();
    expect(ctx.caller?.key?.id).toBe(issued.record.id);
  });

  it('refuses a record the store returned for another hash', () => {
    const other = issueVirtualKey({ name: 'b', env: 'prod', nowMs: 0 }).record;
    for (const hash of [other.hash, issued.record.hash.slice(0, -1), '']) {
      const { verdict, ctx } = run(issued.secret, { ...issued.record, hash });
      expect((verdict as GatewayError).code).toBe('invalid_api_key');
      expect(ctx.caller).toBeUndefined();
    }
  });

  it('refuses a revoked key', () => {
    const record = { ...issued.record, revokedAtMs: 500 };
    expect(hashVirtualKey(issued.secret)).toBe(record.hash);
    expect((run(issued.secret, record).verdict as GatewayError).code).toBe('key_revoked');
  });
});
