import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { readFileSync, readdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AuditRecord, Store } from '../../src/store/types.js';
import { createTestSchema, type TestSchema } from '../helpers/postgres.js';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

const PROVIDER_KEY = 'sk-canary-e2e-provider-key-5b4a3c2d1e0f';

/** Every flow a real app uses, through the official SDKs, against a spawned `bastion serve`. */
describe.each(['sqlite', 'postgres'] as const)(
  'official SDKs against bastion serve (%s store)',
  (storeKind) => {
    let mock: MockProvider;
    let serve: ServeProcess;
    let virtualKey: string;
    let dir: string;
    let schema: TestSchema | undefined;
    let env: NodeJS.ProcessEnv;
    const seenByCaller: string[] = [];
    const reportedUsage: { prompt: number; completion: number }[] = [];

    beforeAll(async () => {
      mock = createMockProvider({ apiKeys: [PROVIDER_KEY] });
      const mockUrl = await mock.listen(0, '127.0.0.1');
      dir = mkdtempSync(join(tmpdir(), 'bastion-e2e-'));
      schema = storeKind === 'postgres' ? await createTestSchema('e2e') : undefined;
      const stores =
        schema === undefined
          ? `stores:\n  kind: sqlite\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n`
          : `stores:\n  kind: postgres\n  postgres:\n    url: env:E2E_DATABASE_URL\n    schema: ${schema.schema}\n`;
      writeFileSync(
        join(dir, 'bastion.yaml'),
        `server:\n  port: 0\ncontrolPlane:\n  port: 0\n${stores}` +
          `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_OPENAI_KEY\n` +
          `  anthropic:\n    kind: anthropic\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_OPENAI_KEY\n`,
      );
      env = {
        PATH: process.env.PATH,
        BASTION_CONFIG: join(dir, 'bastion.yaml'),
        E2E_OPENAI_KEY: PROVIDER_KEY,
        ...(schema === undefined ? {} : { E2E_DATABASE_URL: schema.connectionString }),
      };
      const created = await runCliProcess(
        ['keys', 'create', '--name', 'e2e', '--env', 'dev', '--json'],
        env,
      );
      expect(created.code).toBe(0);
      virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
      serve = await spawnServe([], env);
    });

    afterAll(async () => {
      if (serve.child.exitCode === null) await serve.stop();
      await mock.close();
      await schema?.drop();
    });

    const openai = () =>
      new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: virtualKey, maxRetries: 0 });
    const anthropic = () =>
      new Anthropic({ baseURL: serve.url, apiKey: virtualKey, maxRetries: 0 });
    const keep = (value: unknown) => seenByCaller.push(JSON.stringify(value));

    it('chat completions, plain and streamed', async () => {
      const plain = await openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hello there' }],
      });
      keep(plain);
      expect(plain.choices[0]?.message.content).toContain('hello there');
      reportedUsage.push({
        prompt: plain.usage!.prompt_tokens,
        completion: plain.usage!.completion_tokens,
      });

      const stream = await openai().chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'stream please' }],
      });
      let text = '';
      for await (const chunk of stream) {
        keep(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage)
          reportedUsage.push({
            prompt: chunk.usage.prompt_tokens,
            completion: chunk.usage.completion_tokens,
          });
      }
      expect(text).toContain('stream please');
    });

    it('embeddings, models and responses', async () => {
      const emb = await openai().embeddings.create({
        model: 'text-embedding-3-small',
        input: 'vector me',
      });
      keep(emb);
      expect(emb.data[0]?.embedding.length).toBeGreaterThan(0);
      reportedUsage.push({ prompt: emb.usage.prompt_tokens, completion: 0 });

      const models = await openai().models.list();
      expect(models.data.map((m) => m.id)).toEqual(
        expect.arrayContaining(['gpt-4o-mini', 'claude-haiku-4-5']),
      );

      const response = await openai().responses.create({ model: 'gpt-4o-mini', input: 'respond' });
      keep(response);
      expect(response.output_text).toContain('respond');
      reportedUsage.push({
        prompt: response.usage!.input_tokens,
        completion: response.usage!.output_tokens,
      });
    });

    it('anthropic messages, plain and streamed', async () => {
      const msg = await anthropic().messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'bonjour' }],
      });
      keep(msg);
      expect(msg.content[0]?.type === 'text' && msg.content[0].text).toContain('bonjour');
      reportedUsage.push({ prompt: msg.usage.input_tokens, completion: msg.usage.output_tokens });

      const final = await anthropic()
        .messages.stream({
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'stream bonjour' }],
        })
        .finalMessage();
      keep(final);
      expect(final.content[0]?.type === 'text' && final.content[0].text).toContain(
        'stream bonjour',
      );
      reportedUsage.push({
        prompt: final.usage.input_tokens,
        completion: final.usage.output_tokens,
      });
    });

    it('surfaces upstream errors as typed SDK errors without the provider key', async () => {
      mock.enqueueFault({ status: 401, echoKey: true });
      const err = await openai()
        .chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'x' }],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_auth_failed');
      keep((err as Error).message);

      mock.enqueueFault({ status: 400, echoKey: true });
      const aerr = await anthropic()
        .messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
        })
        .catch((e: unknown) => e);
      expect(aerr).toBeInstanceOf(Anthropic.APIError);
      keep((aerr as Error).message);

      const badKey = await new OpenAI({
        baseURL: `${serve.url}/v1`,
        apiKey: 'sk-wrong',
        maxRetries: 0,
      }).models
        .list()
        .catch((e: unknown) => e);
      expect((badKey as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    });

    it('drains on SIGTERM: every request is audited with the usage the provider reported, and no secret leaked anywhere', async () => {
      expect(await serve.stop()).toBe(0);
      const store: Store =
        schema === undefined
          ? createSqliteStore({ path: join(dir, 'bastion.db') })
          : createPostgresStore({
              connectionString: schema.connectionString,
              schema: schema.schema,
            });
      const rows: AuditRecord[] = (await store.queryAudit({ limit: 1000 })).reverse();
      await store.close();
      // 2 chat + embeddings + models + responses + 2 messages + 2 upstream errors + 1 bad key
      expect(rows).toHaveLength(10);
      const usage = rows
        .filter((r) => r.status === 200 && r.endpoint !== '/v1/models')
        .map((r) => ({ prompt: r.promptTokens, completion: r.completionTokens }));
      expect(usage).toEqual(reportedUsage);
      expect(rows.filter((r) => r.errorCode !== null).map((r) => r.errorCode)).toEqual([
        'upstream_auth_failed',
        'upstream_invalid_request',
        'malformed_api_key',
      ]);

      const { stdout, stderr } = serve.output();
      const stored =
        schema === undefined ? storedSqliteBytes(dir) : await storedPostgresText(schema);
      for (const [where, text] of [
        ['logs', stdout + stderr],
        ['responses', seenByCaller.join('\n')],
        ['store', stored],
      ] as const) {
        expect(text, where).not.toContain(PROVIDER_KEY);
        expect(text, where).not.toContain(virtualKey);
        expect(text, where).not.toContain(virtualKey.slice(16));
      }
      expect(stdout).toContain('"event":"gateway_stopped"');
    });
  },
);

/** The database, its journal and the audit spool's files (`bastion.db.audit-spool.d/`). */
function storedSqliteBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.startsWith('bastion.db'))
    .map((f) => join(dir, f))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

async function storedPostgresText(schema: TestSchema): Promise<string> {
  const client = new pg.Client({ connectionString: schema.connectionString });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema.schema],
    );
    const dumps = await Promise.all(
      tables.rows.map((t) =>
        client
          .query(`SELECT * FROM "${schema.schema}"."${t.table_name}"`)
          .then((r) => JSON.stringify(r.rows)),
      ),
    );
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}
