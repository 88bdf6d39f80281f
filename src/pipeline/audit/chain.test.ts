import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../store/types.js';
import {
  canonicalAuditEncoding,
  createAuditChain,
  createChainHasher,
  GENESIS_HASH,
} from './chain.js';

const record: AuditRecord = {
  requestId: 'req_1',
  timeMs: 1_700_000_000_000,
  keyId: 'key_1',
  keyPrefix: 'bk_prod_x',
  env: 'prod',
  endpoint: '/v1/chat/completions',
  model: 'gpt-4o-mini',
  provider: 'openai',
  upstreamKeyLabel: 'primary',
  status: 200,
  errorCode: null,
  promptTokens: 3,
  completionTokens: 4,
  latencyMs: 1.5,
  upstreamLatencyMs: null,
  clientIp: null,
  isStream: false,
  decisions: [{ stage: 'guard_pii', action: 'redact', type: 'email', count: 1 }],
  costMicroUsd: 7,
  userId: null,
  team: null,
};
const place = { chainId: 'ch_a', seq: 1, prevHash: GENESIS_HASH };

describe('audit chain', () => {
  it('encodes decisions alike whatever their key order (JSONB reorders keys)', () => {
    const reordered = {
      ...record,
      decisions: [{ count: 1, type: 'email', action: 'redact', stage: 'guard_pii' }],
    };
    expect(canonicalAuditEncoding(reordered, place)).toBe(canonicalAuditEncoding(record, place));
  });

  it('hashes every field of the record (a new field must join the encoding)', () => {
    const encoded = JSON.parse(canonicalAuditEncoding(record, place)) as unknown[];
    // Version, chain id, seq and prev hash, then one element per audited field.
    expect(encoded).toHaveLength(4 + Object.keys(record).length);
  });

  it('changes the hash with any audited field, the place in the chain, or the key', () => {
    const sha = createChainHasher(undefined);
    const base = sha(record, place);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(sha({ ...record, status: 500 }, place)).not.toBe(base);
    expect(sha({ ...record, isStream: true }, place)).not.toBe(base);
    expect(sha({ ...record, costMicroUsd: null }, place)).not.toBe(base);
    expect(sha(record, { ...place, seq: 2 })).not.toBe(base);
    expect(sha(record, { ...place, chainId: 'ch_b' })).not.toBe(base);
    expect(createChainHasher(Buffer.alloc(32, 1))(record, place)).not.toBe(base);
  });

  it('links records one after another from the genesis hash, without touching the input', () => {
    const chain = createAuditChain({ hash: createChainHasher(undefined) });
    const first = chain.link(record);
    const second = chain.link(record);
    expect(first.chain).toMatchObject({ chainId: chain.chainId, seq: 1, prevHash: GENESIS_HASH });
    expect(second.chain).toMatchObject({ seq: 2, prevHash: first.chain.hash });
    expect(record).not.toHaveProperty('chain');
    expect(first).toStrictEqual({ ...record, chain: first.chain });
    expect(createAuditChain({ hash: createChainHasher(undefined) }).chainId).not.toBe(
      chain.chainId,
    );
  });

  it('stores a lone surrogate as one U+FFFD, as it will read back', () => {
    const chain = createAuditChain({ hash: createChainHasher(undefined) });
    const linked = chain.link({ ...record, model: 'a\ud800b' });
    expect(linked.model).toBe('a\ufffdb');
  });
});
