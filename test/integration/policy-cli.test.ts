import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { ADMIN_TOKEN } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody } from '../helpers/policy.js';

describe('bastion CLI: scopes, budgets, usage, alerts, kill switch', () => {
  let gw: TestGateway;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN } });
    env = {
      BASTION_STORES__SQLITE__PATH: gw.dbPath,
      BASTION_ADMIN_TOKEN: ADMIN_TOKEN,
      BASTION_ADMIN_URL: gw.controlUrl,
      USER: 'ops-bob',
    };
  });
  afterAll(() => gw.close());

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
      cwd: tmpdir(),
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('creates a key with scopes from flags, and refuses bad flags with exit 2', async () => {
    const created = await run(
      'keys',
      'create',
      '--name',
      'web',
      '--env',
      'staging',
      '--json',
      '--models',
      'gpt-4o*,claude-*',
      '--ip-ranges',
      '127.0.0.0/8',
      '--max-tokens',
      '256',
      '--rpm',
      '30',
      '--monthly-budget-usd',
      '2.5',
      '--team',
      'growth',
      '--allow-unknown-team',
    );
    expect(created.code).toBe(0);
    const out = JSON.parse(created.stdout) as { key: string; scopes: unknown };
    expect(out.scopes).toEqual({
      models: ['gpt-4o*', 'claude-*'],
      ipRanges: ['127.0.0.0/8'],
      maxTokens: 256,
      team: 'growth',
      limits: { rpm: 30, monthlyBudgetMicroUsd: 2_500_000 },
    });
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
      authorization: `Bearer ${out.key}`,
    });
    expect(res.status).toBe(200);
    expect((await run('keys', 'create', '--name', 'x', '--ip-ranges', '300.1.1.1/8')).code).toBe(2);
    expect((await run('keys', 'create', '--name', 'x', '--rpm', '-1')).code).toBe(2);
    expect((await run('keys', 'create', '--name', 'big', '--tpm', '1000000000000')).code).toBe(0);
    expect((await run('keys', 'create', '--name', 'x', '--endpoints', 'images')).code).toBe(2);
  });

  it('changes scopes, lists budgets, usage and alerts through the admin API', async () => {
    const key = await gw.createKey({
      env: 'prod',
      scopes: { limits: { dailyBudgetMicroUsd: 1_000_000 } },
    });
    expect(
      (
        await post(`${gw.url}/v1/chat/completions`, chatBody(), {
          authorization: `Bearer ${key.secret}`,
        })
      ).status,
    ).toBe(200);
    await gw.flushAudit();
    const scoped = await run(
      'keys',
      'scopes',
      key.id,
      '--providers',
      'anthropic',
      '--daily-budget-usd',
      '1',
    );
    expect(scoped.code).toBe(0);
    const denied = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
      authorization: `Bearer ${key.secret}`,
    });
    expect(denied.headers.get('x-bastion-error-code')).toBe('scope_provider_denied');

    const budgets = await run('budgets', 'list', '--json');
    const rows = JSON.parse(budgets.stdout) as { budget: string; spentMicroUsd: number }[];
    expect(rows.find((b) => b.budget === `key:${key.id}:daily`)?.spentMicroUsd).toBeGreaterThan(0);
    expect((await run('budgets', 'list')).stdout).toContain(`key:${key.id}:daily`);
    const usage = await run('usage', 'show', '--since', '1d');
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain(key.id);
    expect(usage.stdout).toMatch(/^total since /m);
    expect((await run('alerts', 'list')).code).toBe(0);
  });

  it('pulls and releases the kill switch, recording who did it', async () => {
    const key = await gw.createKey({ env: 'dev' });
    const send = async () =>
      (
        await post(`${gw.url}/v1/chat/completions`, chatBody(), {
          authorization: `Bearer ${key.secret}`,
        })
      ).status;
    expect((await run('killswitch', 'set', 'env', 'dev', '--reason', 'cost spike')).code).toBe(0);
    expect(await send()).toBe(503);
    const listed = await run('killswitch', 'list');
    expect(listed.stdout).toContain('env:dev');
    expect(listed.stdout).toContain('ops-bob');
    expect((await run('killswitch', 'clear', 'env', 'dev')).stdout).toContain('cleared');
    expect(await send()).toBe(200);
    expect((await run('killswitch', 'set', 'global')).code).toBe(2);
  });

  it('refuses a key whose team, tier, model glob or provider can never work, listing the valid values', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'bastion-scope-')), 'bastion.yaml');
    writeFileSync(config, 'policy:\n  teams:\n    payments: { rpm: 100 }\n');
    const before = (await run('keys', 'list', '--json', '--config', config)).stdout;
    const create = (...flags: string[]) =>
      run('keys', 'create', '--name', 'typo', '--config', config, ...flags);

    const team = await create('--team', 'paymnets');
    expect(team.code).toBe(2);
    expect(team.stderr).toContain('did you mean "payments"?');
    const tier = await create('--tier', 'platinum');
    expect(tier.code).toBe(2);
    expect(tier.stderr).toContain('valid: free, pro');
    const glob = await create('--models', 'gtp-4o*');
    expect(glob.code).toBe(2);
    expect(glob.stderr).toContain('did you mean "gpt-4o*"?');
    const provider = await create('--providers', 'openia');
    expect(provider.code).toBe(2);
    expect(provider.stderr).toContain('did you mean "openai"?');
    expect((await run('keys', 'list', '--json', '--config', config)).stdout).toBe(before);

    expect((await create('--team', 'payments', '--tier', 'pro', '--models', 'gpt-4o*')).code).toBe(
      0,
    );
    expect((await create('--models', 'gpt-5*', '--allow-unmatched-models')).code).toBe(0);
    const scoped = await run('keys', 'scopes', 'key_nope', '--models', 'gtp-4o*');
    expect(scoped.code).toBe(2);
  });

  it('refuses a kill switch on a target that matches no traffic, and never engages it', async () => {
    const typo = await run('killswitch', 'set', 'provider', 'openia', '--reason', 'incident');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "openai"?');
    expect((await run('killswitch', 'set', 'env', 'production', '--reason', 'x')).code).toBe(2);
    expect((await run('killswitch', 'set', 'key', 'bk_dev_nope', '--reason', 'x')).code).toBe(2);
    expect(JSON.parse((await run('killswitch', 'list', '--json')).stdout)).toEqual([]);

    // A key named by its prefix is engaged by id, the name the gateway matches on.
    const key = await gw.createKey({ env: 'dev' });
    const set = await run('killswitch', 'set', 'key', key.prefix, '--reason', 'leaked');
    expect(set.stdout).toContain(`key/${key.id}`);
    const status = async () =>
      (
        await post(`${gw.url}/v1/chat/completions`, chatBody(), {
          authorization: `Bearer ${key.secret}`,
        })
      ).status;
    expect(await status()).toBe(503);
    expect((await run('killswitch', 'clear', 'key', key.id)).code).toBe(0);
    expect(await status()).toBe(200);
  });

  it('needs the admin token', async () => {
    const saved = env;
    env = { ...env, BASTION_ADMIN_TOKEN: undefined };
    try {
      const r = await run('budgets', 'list');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('BASTION_ADMIN_TOKEN');
    } finally {
      env = saved;
    }
    env = { ...saved, BASTION_ADMIN_TOKEN: 'adm-wrong-token-0000000000' };
    try {
      const r = await run('alerts', 'list');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('admin_unauthorized');
    } finally {
      env = saved;
    }
  });
});
