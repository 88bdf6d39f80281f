import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKek } from '../../src/secrets/local-vault/kek.js';
import { openLocalVault } from '../../src/secrets/local-vault/vault.js';
import { startFakeAws, type FakeAws } from '../helpers/fake-managers/aws.js';
import { startFakeAzure, type FakeAzure } from '../helpers/fake-managers/azure.js';
import { startFakeGcp, type FakeGcp } from '../helpers/fake-managers/gcp.js';
import { startFakeVault, type FakeVault } from '../helpers/fake-managers/hashicorp.js';
import { CANARY_OPENAI_KEY, post, startTestGateway } from '../helpers/gateway.js';
import { configuredResolver } from '../helpers/secrets.js';

const NEXT_KEY = 'sk-canary-openai-next-4e1f0b7a9c2d';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const ctx = { component: 'provider:openai' };

/** Every file under `dir` (recursively), as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }));
}

function expectNoCanary(dir: string, secret = CANARY_OPENAI_KEY) {
  const forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('hex'),
  ];
  for (const { path, bytes } of filesUnder(dir))
    for (const form of forms) expect(bytes.includes(form), `${form} in ${path}`).toBe(false);
}

describe('leak canary with the provider key from every source', () => {
  let vault: FakeVault;
  let aws: FakeAws;
  let azure: FakeAzure;
  let gcp: FakeGcp;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let secretsConfig: Record<string, unknown>;
  let sources: [string, string][];

  beforeAll(async () => {
    [vault, aws, azure, gcp] = await Promise.all([
      startFakeVault(),
      startFakeAws(),
      startFakeAzure(),
      startFakeGcp(),
    ]);
    vault.write('bastion/openai', { api_key: CANARY_OPENAI_KEY });
    aws.put('prod/openai', JSON.stringify({ key: CANARY_OPENAI_KEY }));
    azure.set('bastion-kv', 'openai-key', CANARY_OPENAI_KEY);
    gcp.addVersion('fake-project', 'openai', CANARY_OPENAI_KEY);
    dir = mkdtempSync(join(tmpdir(), 'bastion-canary-'));
    mkdirSync(join(dir, 'vault'));
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'openai'), `${CANARY_OPENAI_KEY}\n`);
    const kek = randomBytes(32);
    await openLocalVault(
      { kek: createLocalKek(kek) },
      { path: join(dir, 'vault', 'bastion.vault') },
    ).put('openai', CANARY_OPENAI_KEY);
    env = {
      CANARY_KEY_ENV: CANARY_OPENAI_KEY,
      BASTION_VAULT_KEK: kek.toString('base64'),
      VAULT_TOKEN: vault.rootToken,
      AWS_ACCESS_KEY_ID: aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
      AZURE_TENANT_ID: azure.tenantId,
      AZURE_CLIENT_ID: azure.clientId,
      AZURE_CLIENT_SECRET: azure.clientSecret,
      GCP_SA_KEY: gcp.keyFile,
    };
    secretsConfig = {
      vault: { path: join(dir, 'vault', 'bastion.vault') },
      hashicorp: { address: vault.url },
      aws: { region: aws.region, endpoint: aws.url },
      azure: { authorityHost: azure.url, vaultUrl: `${azure.url}/{vault}` },
      gcp: { credentials: 'env:GCP_SA_KEY', endpoint: gcp.url },
    };
    sources = [
      ['env', 'env:CANARY_KEY_ENV'],
      ['file', `file:${join(dir, 'run', 'openai')}`],
      ['vault', 'vault:openai'],
      ['hashicorp', 'hcv:secret/data/bastion/openai#api_key'],
      ['aws', 'aws:prod/openai#key'],
      ['azure', 'azure:bastion-kv/openai-key'],
      ['gcp', 'gcp:projects/fake-project/secrets/openai'],
    ];
  });
  afterAll(() => Promise.all([vault.close(), aws.close(), azure.close(), gcp.close()]));

  const gatewayWith = (ref: string) =>
    startTestGateway({
      env,
      mockApiKeys: [NEXT_KEY],
      configure: (mockUrl) => ({
        secrets: secretsConfig,
        providers: {
          openai: { kind: 'openai', baseUrl: mockUrl, apiKey: ref, keyLabel: 'openai-primary' },
          anthropic: { kind: 'anthropic', baseUrl: mockUrl, apiKey: 'env:TEST_ANTHROPIC_KEY' },
        },
      }),
    });

  it.each(['env', 'file', 'vault', 'hashicorp', 'aws', 'azure', 'gcp'])(
    '%s: serves with the key, audits the retrieval, and the key reaches no log, body, header or stored byte',
    async (name) => {
      const ref = (sources.find(([n]) => n === name) as [string, string])[1];
      const gw = await gatewayWith(ref);
      try {
        const auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
        const ok = await post(`${gw.url}/v1/chat/completions`, chat, auth);
        const okText = await ok.text();
        expect(ok.status).toBe(200);
        expect(gw.mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY_OPENAI_KEY}`);
        gw.mock.enqueueFault({ status: 401, echoKey: true });
        const echoed = await post(`${gw.url}/v1/chat/completions`, chat, auth);
        const echoedText = await echoed.text();
        expect(echoed.status).toBe(502);
        await gw.flushAudit();
        for (const text of [okText, echoedText, JSON.stringify([...ok.headers, ...echoed.headers])])
          expect(text).not.toContain(CANARY_OPENAI_KEY);
        const logs = gw.logs.join('');
        expect(logs).not.toContain(CANARY_OPENAI_KEY);
        const resolved = gw.logs
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((l) => l.event === 'secret_resolved');
        expect(resolved).toContainEqual(
          expect.objectContaining({ ref, components: ['provider:openai'], trigger: 'start' }),
        );
        expectNoCanary(dirname(gw.dbPath));
        expectNoCanary(join(dir, 'vault'));
      } finally {
        await gw.close();
      }
    },
  );

  it('a rotated key in the manager is used after app.secrets.reload(), with no failed request', async () => {
    vault.write('bastion/rotating', { api_key: CANARY_OPENAI_KEY });
    const gw = await gatewayWith('hcv:secret/data/bastion/rotating#api_key');
    try {
      const auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
      expect((await post(`${gw.url}/v1/chat/completions`, chat, auth)).status).toBe(200);
      vault.write('bastion/rotating', { api_key: NEXT_KEY });
      expect((await post(`${gw.url}/v1/chat/completions`, chat, auth)).status).toBe(200);
      expect(gw.mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY_OPENAI_KEY}`);
      expect(await gw.app.secrets.reload()).toMatchObject({
        changed: ['hcv:secret/data/bastion/rotating#api_key'],
        failed: [],
      });
      expect((await post(`${gw.url}/v1/chat/completions`, chat, auth)).status).toBe(200);
      expect(gw.mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${NEXT_KEY}`);
      gw.mock.enqueueFault({ status: 401, echoKey: true });
      expect(await (await post(`${gw.url}/v1/chat/completions`, chat, auth)).text()).not.toContain(
        NEXT_KEY,
      );
      expect(gw.logs.join('')).not.toMatch(/sk-canary-openai/);
    } finally {
      await gw.close();
    }
  });

  it('a gateway whose key cannot be resolved does not start, and says which ref failed', async () => {
    await expect(gatewayWith('hcv:secret/data/bastion/absent#api_key')).rejects.toMatchObject({
      code: 'secret_not_found',
      message: expect.stringContaining('hcv:secret/data/bastion/absent#api_key') as unknown,
    });
  });

  it('the remote sources write nothing to disk: no file in HOME, TMPDIR or the working directory', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bastion-home-'));
    const tmp = mkdtempSync(join(tmpdir(), 'bastion-tmp-'));
    const cwd = mkdtempSync(join(tmpdir(), 'bastion-cwd-'));
    const saved = { HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, cwd: process.cwd() };
    Object.assign(process.env, { HOME: home, TMPDIR: tmp });
    process.chdir(cwd);
    try {
      const { resolver } = configuredResolver(secretsConfig, env);
      for (const [name, ref] of sources) {
        if (name === 'env' || name === 'file' || name === 'vault') continue;
        expect((await resolver.resolve(ref, ctx)).reveal()).toBe(CANARY_OPENAI_KEY);
      }
      expect((await resolver.reload()).failed).toEqual([]);
      await resolver.close();
    } finally {
      process.chdir(saved.cwd);
      for (const key of ['HOME', 'TMPDIR'] as const) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    expect([readdirSync(home), readdirSync(tmp), readdirSync(cwd)]).toEqual([[], [], []]);
  });
});
