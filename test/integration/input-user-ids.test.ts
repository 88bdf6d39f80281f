import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody } from '../helpers/policy.js';

/**
 * Issue 9, finding 7: the end-user ids an app names (`user`, `x-bastion-user`, Anthropic
 * `metadata.user_id`) went into the audit log verbatim, so a caller that put an email or a key
 * there stored it; a model name was echoed whole in the 404 message. The audit log now keeps a
 * keyed pseudonym and error messages a bounded, scrubbed excerpt.
 */
const USER_KEY = 'k'.repeat(40);
const CANARY_EMAIL = 'canary.person.4711@example.com';
const CANARY_SECRET = 'sk-proj-canaryUserId0123456789abcdef';

type Send = (g: TestGateway, secret: string, user: string) => Promise<Response>;
const SOURCES: [string, Send][] = [
  [
    'x-bastion-user',
    (g, secret, user) =>
      post(`${g.url}/v1/chat/completions`, chatBody(), {
        authorization: `Bearer ${secret}`,
        'x-bastion-user': user,
      }),
  ],
  [
    'user field',
    (g, secret, user) =>
      post(`${g.url}/v1/chat/completions`, chatBody({ user }), {
        authorization: `Bearer ${secret}`,
      }),
  ],
  [
    'metadata.user_id',
    (g, secret, user) =>
      post(
        `${g.url}/v1/messages`,
        {
          model: 'claude-haiku-4-5',
          max_tokens: 20,
          messages: [{ role: 'user', content: 'hi' }],
          metadata: { user_id: user },
        },
        { 'x-api-key': secret },
      ),
  ],
];

/** Every byte the gateway stored: the SQLite file, its journal and the audit spool's files. */
function storedBytes(g: TestGateway): string {
  const dir = dirname(g.dbPath);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}

describe('caller-named identifiers', () => {
  const gateways: TestGateway[] = [];
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });
  async function start(audit: Record<string, unknown>, policy?: Record<string, unknown>) {
    const g = await startTestGateway({
      config: { audit: { flushIntervalMs: 20, ...audit }, ...(policy && { policy }) },
      env: { TEST_USER_ID_KEY: USER_KEY },
    });
    gateways.push(g);
    return g;
  }

  async function auditedUsers(g: TestGateway, keyId: string): Promise<(string | null)[]> {
    await g.flushAudit();
    const rows = await g.app.store.queryAudit({ keyId, limit: 100 });
    return rows.map((r) => r.userId);
  }

  it.each(SOURCES)(
    'stores an id named by %s as a keyed pseudonym, stable across restarts',
    async (_name, send) => {
      const first = await start({ userIdKey: 'env:TEST_USER_ID_KEY' });
      const key = await first.createKey();
      for (const user of [CANARY_EMAIL, CANARY_SECRET, CANARY_EMAIL]) {
        expect((await send(first, key.secret, user)).status).toBe(200);
      }
      const ids = await auditedUsers(first, key.id);
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(/^u_[0-9a-f]{32}$/);
      expect(new Set(ids).size).toBe(2);
      await first.close();
      gateways.splice(0);
      const stored = storedBytes(first);
      expect(stored).not.toContain(CANARY_EMAIL);
      expect(stored).not.toContain(CANARY_SECRET);
      for (const line of first.logs) {
        expect(line).not.toContain(CANARY_EMAIL);
        expect(line).not.toContain(CANARY_SECRET);
      }

      // Another process (or replica) under the same key names the same user alike.
      const second = await start({ userIdKey: 'env:TEST_USER_ID_KEY' });
      const key2 = await second.createKey();
      expect((await send(second, key2.secret, CANARY_EMAIL)).status).toBe(200);
      const [again] = await auditedUsers(second, key2.id);
      expect(ids).toContain(again);
    },
  );

  it('stores no app-named id when no pseudonym key is configured', async () => {
    const g = await start({});
    const key = await g.createKey();
    for (const [, send] of SOURCES)
      expect((await send(g, key.secret, CANARY_EMAIL)).status).toBe(200);
    expect(await auditedUsers(g, key.id)).toEqual([null, null, null]);
    await g.close();
    gateways.splice(0);
    expect(storedBytes(g)).not.toContain(CANARY_EMAIL);
  });

  it('derives the pseudonym key from the chain key, and keeps a scrubbed excerpt when asked', async () => {
    const g = await start({ chainKey: 'env:TEST_USER_ID_KEY', userIdReadable: true });
    const key = await g.createKey();
    const [, send] = SOURCES[0] as [string, Send];
    expect((await send(g, key.secret, CANARY_SECRET)).status).toBe(200);
    expect((await send(g, key.secret, 'alice')).status).toBe(200);
    const ids = await auditedUsers(g, key.id);
    expect(ids).toContainEqual(expect.stringMatching(/^u_[0-9a-f]{32}~alice$/));
    expect(ids).toContainEqual(expect.stringMatching(/^u_[0-9a-f]{32}~\[redacted\]$/));
    await g.close();
    gateways.splice(0);
    expect(storedBytes(g)).not.toContain(CANARY_SECRET);
  });

  it('keeps per-user budgets per pseudonym and names no user id in the refusal', async () => {
    const g = await start(
      { userIdKey: 'env:TEST_USER_ID_KEY' },
      {
        environments: { dev: { keyDefaults: {} } },
        tiers: { free: { dailyBudgetUsd: 0.0001 } },
        appUserTier: 'free',
      },
    );
    const key = await g.createKey();
    const send = (user: string) =>
      post(`${g.url}/v1/chat/completions`, chatBody({ max_tokens: 1_000 }), {
        authorization: `Bearer ${key.secret}`,
        'x-bastion-user': user,
      });
    const refused = await send(CANARY_EMAIL);
    const text = await refused.text();
    expect(refused.headers.get('x-bastion-error-code')).toBe('budget_exceeded');
    expect(text).not.toContain(CANARY_EMAIL);
    expect(text).not.toMatch(/u_[0-9a-f]{32}/);
  });

  it('echoes an unknown model name only as a bounded, scrubbed excerpt', async () => {
    const g = await start({});
    const key = await g.createKey();
    const model = `${CANARY_OPENAI_KEY} ${CANARY_SECRET} \u202e${'x'.repeat(5_000)}`;
    const res = await post(
      `${g.url}/v1/chat/completions`,
      { ...chatBody(), model: model.slice(0, 256) },
      { authorization: `Bearer ${key.secret}` },
    );
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect([res.status, body.error.code]).toEqual([404, 'model_not_found']);
    expect(body.error.message).not.toContain(CANARY_OPENAI_KEY);
    expect(body.error.message).not.toContain(CANARY_SECRET);
    expect(body.error.message).not.toContain('\u202e');
    expect(body.error.message.length).toBeLessThan(160);
  });
});
