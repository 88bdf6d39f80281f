import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import type { Environment, KeyScopes } from '../../src/store/types.js';

/** Provider keys the tests plant; none may ever appear in a log, body, header or stored byte. */
export const CANARY_OPENAI_KEY = 'sk-canary-openai-6f1d2c9a8b7e4d3c2b1a0f9e';
export const CANARY_ANTHROPIC_KEY = 'sk-ant-canary-anthropic-0a9b8c7d6e5f4a3b';
export const CANARY_AZURE_KEY = 'azurecanary5c4b3a291807f6e5d4c3b2a1f0e9d8'; // bastion:allow test canary
export const CANARY_GEMINI_KEY = 'AIzaSyCanaryGeminiKey0123456789abcdefgh'; // bastion:allow test canary
export const CANARY_AWS_ACCESS_KEY_ID = 'AKIACANARYBEDROCK001'; // bastion:allow test canary
export const CANARY_AWS_SECRET_KEY = 'canary/AwsSecretAccessKey0123456789abcdef'; // bastion:allow test canary
/** The region the mock checks Bedrock signatures for. */
export const MOCK_AWS_REGION = 'us-east-1';

export interface TestGateway {
  url: string;
  /** The control plane (health, admin API), when enabled. */
  controlUrl: string | undefined;
  app: App;
  mock: MockProvider;
  dbPath: string;
  logs: string[];
  createKey(opts?: {
    env?: Environment;
    name?: string;
    expiresAtMs?: number | null;
    scopes?: KeyScopes;
  }): Promise<{ secret: string; id: string; prefix: string }>;
  /** Waits until every audit row so far is in the store. */
  flushAudit(): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Extra config merged over the test defaults. */
  config?: Record<string, unknown>;
  /** Like `config`, for settings that need the mock provider's URL (merged last). */
  configure?: (mockUrl: string) => Record<string, unknown>;
  stores?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Collaborators handed to createApp (e.g. an injected retry sleep or random source). */
  appDeps?: Omit<AppDeps, 'env' | 'log'>;
  /** Provider keys the mock accepts besides the two canaries (key-pool and rotation tests). */
  mockApiKeys?: readonly string[];
  /**
   * A YAML file read under the test defaults (which win); `app.reloadConfig()` reads it again,
   * as `bastion serve --config` does.
   */
  configFile?: string;
}

export const UNLIMITED_ENVIRONMENTS = {
  dev: { keyDefaults: {} },
  staging: { keyDefaults: {} },
  prod: { keyDefaults: {} },
  ci: { keyDefaults: {} },
};

/** A gateway in process, on port 0, with a real SQLite file and the mock provider. */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const mock = createMockProvider({
    apiKeys: [
      CANARY_OPENAI_KEY,
      CANARY_ANTHROPIC_KEY,
      CANARY_AZURE_KEY,
      CANARY_GEMINI_KEY,
      ...(opts.mockApiKeys ?? []),
    ],
    aws: {
      region: MOCK_AWS_REGION,
      credentials: [
        { accessKeyId: CANARY_AWS_ACCESS_KEY_ID, secretAccessKey: CANARY_AWS_SECRET_KEY },
      ],
    },
  });
  const mockUrl = await mock.listen(0, '127.0.0.1');
  const dbPath = join(mkdtempSync(join(tmpdir(), 'bastion-it-')), 'bastion.db');
  const env = {
    TEST_OPENAI_KEY: CANARY_OPENAI_KEY,
    TEST_ANTHROPIC_KEY: CANARY_ANTHROPIC_KEY,
    TEST_AZURE_KEY: CANARY_AZURE_KEY,
    TEST_GEMINI_KEY: CANARY_GEMINI_KEY,
    TEST_AWS_KEY: `${CANARY_AWS_ACCESS_KEY_ID}:${CANARY_AWS_SECRET_KEY}`,
    ...opts.env,
  };
  const loadOptions: LoadOptions = {
    ...(opts.configFile === undefined ? {} : { file: opts.configFile }),
    env,
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      controlPlane: { port: 0 },
      stores: opts.stores ?? { kind: 'sqlite', sqlite: { path: dbPath } },
      providers: {
        openai: {
          kind: 'openai',
          baseUrl: mockUrl,
          apiKey: 'env:TEST_OPENAI_KEY',
          keyLabel: 'openai-primary',
        },
        anthropic: { kind: 'anthropic', baseUrl: mockUrl, apiKey: 'env:TEST_ANTHROPIC_KEY' },
      },
      models: {
        'gpt-4o-mini': { provider: 'openai' },
        'text-embedding-3-small': { provider: 'openai' },
        fast: { provider: 'openai', upstreamModel: 'gpt-4o-mini' },
        'claude-haiku-4-5': { provider: 'anthropic' },
      },
      audit: { flushIntervalMs: 20 },
      log: { level: 'debug' },
      // No environment defaults (10 RPM for dev...) unless a test sets `policy` itself.
      policy: { environments: UNLIMITED_ENVIRONMENTS },
      ...opts.config,
      ...opts.configure?.(mockUrl),
    },
  };
  const loaded = loadConfig(loadOptions);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const app = await createApp(loaded, {
    ...opts.appDeps,
    env,
    log,
    reloadSource: () => loadConfig(loadOptions),
    configFile: opts.configFile,
  });
  const { dataUrl, controlUrl } = await app.start();
  return {
    url: dataUrl,
    controlUrl,
    app,
    mock,
    dbPath,
    logs,
    async createKey(o = {}) {
      const issued = issueVirtualKey({
        name: o.name ?? 'test',
        env: o.env ?? 'dev',
        nowMs: Date.now(),
        expiresAtMs: o.expiresAtMs ?? null,
        ...(o.scopes === undefined ? {} : { scopes: o.scopes }),
      });
      await app.store.insertKey(issued.record);
      return { secret: issued.secret, id: issued.record.id, prefix: issued.record.prefix };
    },
    flushAudit: () => app.audit.drain(5_000),
    async close() {
      await app.stop();
      await mock.close();
    },
  };
}

/** POST JSON to the gateway with a bearer key. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
