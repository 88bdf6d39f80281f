import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { recordRowParsers } from './record-rows.js';
import { rowChecks } from './row-check.js';

const sqlite = recordRowParsers(rowChecks('sqlite'));
const postgres = recordRowParsers(rowChecks('postgres'));

const keyRow = {
  id: 'key_1',
  name: 'checkout',
  env: 'prod',
  prefix: 'bk_prod_Ab3dE9xZ',
  hash: 'f'.repeat(64),
  created_at_ms: 1_700_000_000_000,
  expires_at_ms: null,
  revoked_at_ms: null,
};

function refusal(parse: () => unknown): GatewayError {
  try {
    parse();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('the row was accepted');
}

describe('key and audit rows from either driver', () => {
  it('reads each driver in its own encoding: JSON text and integers, or JSONB and BIGINT strings', () => {
    const fromSqlite = sqlite.key({ ...keyRow, scopes: '{"models":["gpt-4o*"]}' });
    const fromPostgres = postgres.key({
      ...keyRow,
      created_at_ms: '1700000000000',
      scopes: { models: ['gpt-4o*'] },
    });
    expect(fromSqlite).toEqual(fromPostgres);
    expect(fromSqlite.createdAtMs).toBe(1_700_000_000_000);
    expect(fromSqlite.scopes).toEqual({ models: ['gpt-4o*'] });
  });

  it('fails closed on a value of the wrong type, naming the column but never the value', () => {
    const secretLooking = 'sk-proj-CANARYcanary1234567890';
    const cases: [string, () => unknown][] = [
      ['sqlite decimal string', () => sqlite.key({ ...keyRow, created_at_ms: '17', scopes: '{}' })],
      ['sqlite bad JSON', () => sqlite.key({ ...keyRow, scopes: `{${secretLooking}` })],
      [
        'postgres past 2^53',
        () => postgres.key({ ...keyRow, created_at_ms: '9'.repeat(20), scopes: {} }),
      ],
      ['unknown environment', () => sqlite.key({ ...keyRow, env: secretLooking, scopes: '{}' })],
      ['not a row', () => postgres.key(secretLooking)],
    ];
    for (const [name, parse] of cases) {
      const err = refusal(parse);
      expect(err.code, name).toBe('store_unavailable');
      expect(String((err.cause as Error).message), name).toMatch(
        /^(sqlite|postgres) virtual_keys\./,
      );
      expect(JSON.stringify([err.message, (err.cause as Error).message]), name).not.toContain(
        secretLooking,
      );
    }
  });

  it('reads is_stream as 0/1 on SQLite and as a boolean on Postgres, and nothing else', () => {
    const audit = {
      request_id: 'req_1',
      time_ms: 1,
      key_id: null,
      key_prefix: null,
      env: null,
      endpoint: 'chat_completions',
      model: null,
      provider: null,
      upstream_key_label: null,
      status: 200,
      error_code: null,
      prompt_tokens: null,
      completion_tokens: null,
      latency_ms: 1.5,
      upstream_latency_ms: null,
      client_ip: null,
      cost_micro_usd: null,
      user_id: null,
      team: null,
    };
    expect(sqlite.audit({ ...audit, is_stream: 1, decisions: '[]' }).isStream).toBe(true);
    expect(postgres.audit({ ...audit, is_stream: false, decisions: [] }).isStream).toBe(false);
    expect(refusal(() => sqlite.audit({ ...audit, is_stream: true, decisions: '[]' })).code).toBe(
      'store_unavailable',
    );
    expect(refusal(() => postgres.audit({ ...audit, is_stream: 1, decisions: [] })).code).toBe(
      'store_unavailable',
    );
  });
});
