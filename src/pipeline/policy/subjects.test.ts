import { describe, expect, it } from 'vitest';
import { policySchema } from '../../policy/config.js';
import { createPolicyModel } from '../../policy/model.js';
import type { VirtualKeyRecord } from '../../store/types.js';
import type { Caller } from '../context.js';
import { createSubjectResolver } from './subjects.js';

const model = createPolicyModel(
  policySchema.parse({
    environments: { prod: { keyDefaults: { rpm: 60 }, total: { rpm: 1_000 } } },
    global: { rps: 100 },
    teams: { search: { rpm: 500 }, idle: {} },
    tiers: { free: { rpm: 10 } },
  }),
);

function caller(limits: VirtualKeyRecord['scopes']['limits'], env: Caller['env'] = 'prod') {
  const key: VirtualKeyRecord = {
    id: 'key_1',
    name: 'k',
    env,
    prefix: 'bk_prod_abcdefgh',
    hash: '0'.repeat(64),
    createdAtMs: 0,
    expiresAtMs: null,
    revokedAtMs: null,
    scopes: limits === undefined ? {} : { limits },
  };
  return { key, env, user: undefined };
}

describe('subjects', () => {
  it('lists key, user, team, environment and global in that order, each with a limit', () => {
    const resolve = createSubjectResolver(model);
    const user = { id: 'u1', team: undefined, tier: 'free', source: 'app' as const };
    const subjects = resolve(caller({ tpm: 5 }), user, 'search', 'free');
    expect(subjects).toEqual([
      { kind: 'key', id: 'key_1', limits: { rpm: 60, tpm: 5 } },
      { kind: 'user', id: 'app:key_1:u1', limits: { rpm: 10 } },
      { kind: 'team', id: 'search', limits: { rpm: 500 } },
      { kind: 'env', id: 'prod', limits: { rpm: 1_000 } },
      { kind: 'global', id: '*', limits: { rps: 100 } },
    ]);
    // A team without limits is left out.
    expect(resolve(caller(undefined), undefined, 'idle', undefined)).toEqual([
      { kind: 'key', id: 'key_1', limits: { rpm: 60 } },
      { kind: 'env', id: 'prod', limits: { rpm: 1_000 } },
      { kind: 'global', id: '*', limits: { rps: 100 } },
    ]);
    expect(resolve(caller(undefined), user, undefined, 'gold')).toBeUndefined();
  });

  it("applies a key's changed limits on its next request", () => {
    const resolve = createSubjectResolver(model);
    const limits = { rpm: 5 };
    expect(resolve(caller(limits), undefined, undefined, undefined)?.[0]?.limits).toEqual({
      rpm: 5,
    });
    // The same record object edited in place, then a new record from the store.
    limits.rpm = 7;
    expect(resolve(caller(limits), undefined, undefined, undefined)?.[0]?.limits).toEqual({
      rpm: 7,
    });
    expect(
      resolve(caller({ rpm: 7, concurrency: 2 }), undefined, undefined, undefined)?.[0]?.limits,
    ).toEqual({ rpm: 7, concurrency: 2 });
    expect(resolve(caller(undefined), undefined, undefined, undefined)?.[0]?.limits).toEqual({
      rpm: 60,
    });
    // The same key in another environment gets that environment's defaults.
    expect(resolve(caller(undefined, 'dev'), undefined, undefined, undefined)?.[0]?.limits).toEqual(
      model.envs.dev.keyDefaults,
    );
  });
});
