import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../../wiring/stores.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Config, ProviderConfig } from '../../config/schema.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { createRedisLimitBackend } from '../../limits/redis.js';
import { createLogger } from '../../log/logger.js';
import { scrubber } from '../../log/scrub.js';
import { basePathOf, joinEndpointPath } from '../../providers/core/base-url.js';
import { keyAgeWarning } from '../../pipeline/upstream/key-age.js';
import type { Secret } from '../../log/secret.js';
import { createConfiguredResolver } from '../../secrets/from-config.js';
import { startupSecretRefs } from '../../config/startup-secrets.js';
import type { VirtualKeyRecord } from '../../store/types.js';
import type { CliCommand } from '../command.js';
import { CONFIG_FLAGS, loadCliConfig } from '../config-flags.js';
import { plural } from '../output.js';
import { poolCheck } from './doctor-pool.js';

type Status = 'ok' | 'warn' | 'fail';

interface Check {
  area: string;
  status: Status;
  message: string;
}

const DAY_MS = 86_400_000;
const NET_TIMEOUT_MS = 2_000;
const ADMIN_TOKEN_MIN = 16;

const USAGE = `Usage: bastion doctor [--config FILE] [--json] [--offline]

Checks what the gateway needs before it serves, without starting it and without printing a
secret: the configuration, every secret reference, the store, Redis, the JWKS, the providers'
reachability and key ages, and what is exposed beyond this machine.

  --json      one JSON object instead of text
  --offline   skip the network checks of providers and the JWKS URL

Exit code: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage or an invalid config.
`;

export const command: CliCommand = {
  name: 'doctor',
  hasOwnHelp: true,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...CONFIG_FLAGS,
        json: { type: 'boolean', default: false },
        offline: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    // An invalid config throws ConfigError: the CLI prints every problem and exits 2.
    const loaded = loadCliConfig(values, io.env, io.cwd);
    const checks: Check[] = [
      { area: 'config', status: 'ok', message: 'valid' },
      ...exposure(loaded.config, io.env),
      auditRetention(loaded.config),
    ];
    const secrets = createConfiguredResolver(loaded.config.secrets, {
      env: io.env,
      log: createLogger({ level: 'silent' }),
    });
    try {
      const resolved = await resolveAll(loaded, secrets, checks);
      checks.push(...(await storeCheck(loaded.config, io.env, resolved)));
      checks.push(...(await redisCheck(loaded.config, resolved)));
      checks.push(...providerChecks(loaded));
      if (!values.offline) {
        checks.push(...(await reachability(loaded)));
        checks.push(...(await jwksCheck(loaded.config)));
      }
    } finally {
      await secrets.close();
    }
    const count = (s: Status) => checks.filter((c) => c.status === s).length;
    const summary = { ok: count('ok'), warnings: count('warn'), failures: count('fail') };
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, checks }, null, 2)}\n`);
    } else {
      const width = Math.max(...checks.map((c) => c.area.length));
      io.stdout.write(
        `bastion doctor: ${summary.ok} ok, ${plural(summary.warnings, 'warning')}, ${summary.failures} failed\n`,
      );
      for (const c of checks) {
        const mark = c.status === 'fail' ? 'FAIL' : c.status;
        io.stdout.write(`  ${mark.padEnd(4)}  ${c.area.padEnd(width)}  ${c.message}\n`);
      }
    }
    return summary.failures > 0 ? 1 : 0;
  },
};

/** An audit log without retention grows forever (about 4 GB a day at 100 requests a second). */
function auditRetention(config: Config): Check {
  const { maxAgeDays } = config.audit.retention;
  return maxAgeDays === undefined
    ? {
        area: 'audit',
        status: 'warn',
        message:
          'no retention: the audit log grows without bound; set audit.retention.maxAgeDays and run bastion audit archive daily (docs/audit.md)',
      }
    : {
        area: 'audit',
        status: 'ok',
        message: `rows older than ${maxAgeDays} days are archived to ${config.audit.retention.archiveDir} by bastion audit archive`,
      };
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || host.startsWith('127.');

function exposure(config: Config, env: NodeJS.ProcessEnv): Check[] {
  const checks: Check[] = [];
  const { server, controlPlane } = config;
  checks.push(
    isLoopback(server.host)
      ? { area: 'exposure', status: 'ok', message: `data plane on ${server.host} (this machine)` }
      : server.tls !== undefined
        ? { area: 'exposure', status: 'ok', message: `data plane on ${server.host}: HTTPS` }
        : {
            area: 'exposure',
            status: 'warn',
            message: `data plane on ${server.host}:${server.port} without TLS: set server.tls or serve it behind a TLS terminator (docs/deploy.md)`,
          },
  );
  const token = env.BASTION_ADMIN_TOKEN;
  if (token !== undefined && token !== '' && token.length < ADMIN_TOKEN_MIN) {
    checks.push({
      area: 'admin',
      status: 'fail',
      message: `BASTION_ADMIN_TOKEN is shorter than ${ADMIN_TOKEN_MIN} characters; the admin API stays off`,
    });
  }
  if (controlPlane.enabled && !isLoopback(controlPlane.host)) {
    if (controlPlane.tls === undefined) {
      checks.push({
        area: 'exposure',
        status: 'warn',
        message: `control plane on ${controlPlane.host} without TLS: the admin token crosses the network in clear; set controlPlane.tls (docs/deploy.md)`,
      });
    }
    if (controlPlane.metrics.enabled && controlPlane.metrics.token === undefined) {
      checks.push({
        area: 'exposure',
        status: 'warn',
        message: `control plane on ${controlPlane.host}: /metrics is open; set controlPlane.metrics.token`,
      });
    }
  }
  return checks;
}

/** Every reference `serve` would resolve, each fetched once; failures name the code only. */
async function resolveAll(
  loaded: LoadedConfig,
  secrets: ReturnType<typeof createConfiguredResolver>,
  checks: Check[],
): Promise<Map<string, Secret>> {
  const refs = startupSecretRefs(loaded.config, loaded.isMockMode);
  const metricsToken = loaded.config.controlPlane.metrics.token;
  if (metricsToken !== undefined) refs.push({ ref: metricsToken, component: 'metrics' });
  const chainKey = loaded.config.audit.chainKey;
  if (chainKey !== undefined) refs.push({ ref: chainKey, component: 'audit:chain' });
  const userIdKey = loaded.config.audit.userIdKey;
  if (userIdKey !== undefined) refs.push({ ref: userIdKey, component: 'audit:user-id' });
  for (const [plane, tls] of [
    ['data', loaded.config.server.tls],
    ['control', loaded.config.controlPlane.tls],
  ] as const) {
    if (tls === undefined) continue;
    for (const ref of [tls.cert, tls.key]) refs.push({ ref, component: `tls:${plane}` });
  }
  const clientCa = loaded.config.controlPlane.tls?.clientCa;
  if (clientCa !== undefined) refs.push({ ref: clientCa, component: 'tls:control' });
  const resolved = new Map<string, Secret>();
  let failed = 0;
  for (const { ref, component } of refs) {
    try {
      resolved.set(ref, await secrets.resolve(ref, { component: `doctor:${component}` }));
    } catch (err) {
      failed++;
      const code = isGatewayError(err) ? err.code : 'secret_unavailable';
      checks.push({ area: 'secrets', status: 'fail', message: `${ref} (${component}): ${code}` });
    }
  }
  if (failed === 0) {
    checks.push({
      area: 'secrets',
      status: 'ok',
      message: `${refs.length} reference${refs.length === 1 ? '' : 's'} resolved`,
    });
  }
  return resolved;
}

async function storeCheck(
  config: Config,
  env: NodeJS.ProcessEnv,
  resolved: Map<string, Secret>,
): Promise<Check[]> {
  const { stores } = config;
  if (stores.kind === 'sqlite') {
    const path = stores.sqlite.path;
    if (!existsSync(path))
      return [{ area: 'store', status: 'ok', message: `sqlite ${path} (created at first start)` }];
    const checks: Check[] = [];
    if ((statSync(path).mode & 0o077) !== 0) {
      checks.push({
        area: 'store',
        status: 'warn',
        message: `sqlite ${path} is readable by other users; chmod 600 it`,
      });
    }
    return [...checks, ...(await ping('sqlite', path, config, env, resolved))];
  }
  if (!resolved.has(stores.postgres.url)) return [];
  return ping('postgres', stores.postgres.url, config, env, resolved);
}

async function ping(
  kind: string,
  where: string,
  config: Config,
  env: NodeJS.ProcessEnv,
  resolved: Map<string, Secret>,
): Promise<Check[]> {
  try {
    const store = await openStore(config.stores, env, (ref) => resolved.get(ref) as Secret);
    let keys: VirtualKeyRecord[] | undefined;
    try {
      await store.ping();
      // A store not migrated yet has no keys to weigh against the pool.
      keys = await store.listKeys().catch(() => undefined);
    } finally {
      await store.close();
    }
    const answers: Check = { area: 'store', status: 'ok', message: `${kind} ${where} answers` };
    return keys === undefined ? [answers] : [answers, poolCheck(config, keys, Date.now())];
  } catch (err) {
    return [{ area: 'store', status: 'fail', message: `${kind} ${where}: ${reason(err)}` }];
  }
}

async function redisCheck(config: Config, resolved: Map<string, Secret>): Promise<Check[]> {
  const { limits, upstream } = config;
  if (limits.backend !== 'redis' && upstream.circuit.backend !== 'redis') return [];
  const url = resolved.get(limits.redis.url);
  if (url === undefined) return [];
  const backend = createRedisLimitBackend({
    url: url.reveal(),
    keyPrefix: limits.redis.keyPrefix,
    commandTimeoutMs: limits.redis.commandTimeoutMs,
    cluster: limits.redis.cluster,
  });
  try {
    await backend.waitReady(NET_TIMEOUT_MS);
    await backend.ping();
    return [{ area: 'redis', status: 'ok', message: `${limits.redis.url} answers` }];
  } catch (err) {
    return [{ area: 'redis', status: 'fail', message: `${limits.redis.url}: ${reason(err)}` }];
  } finally {
    await backend.close();
  }
}

function providerChecks(loaded: LoadedConfig): Check[] {
  if (loaded.isMockMode) {
    return [
      {
        area: 'providers',
        status: 'warn',
        message: 'no provider key configured: the built-in mock provider serves',
      },
    ];
  }
  const checks: Check[] = [];
  const now = Date.now();
  for (const [id, pc] of Object.entries(loaded.config.providers)) {
    const keys = pc.keys ?? [
      { label: pc.keyLabel ?? `${id}-1`, state: 'active', createdAt: pc.keyCreatedAt },
    ];
    const live = keys.filter((k) => k.state !== 'revoked');
    if (!live.some((k) => k.state === 'active')) {
      checks.push({ area: 'providers', status: 'fail', message: `${id}: no active key` });
    }
    for (const key of live) {
      if (key.createdAt === undefined) continue;
      const days = Math.floor((now - Date.parse(key.createdAt)) / DAY_MS);
      const warning = keyAgeWarning(days);
      if (warning !== null) {
        checks.push({
          area: 'providers',
          status: warning === 'over_90_days' ? 'fail' : 'warn',
          message: `${id}/${key.label} is ${days} days old: rotate it (bastion providers rotate)`,
        });
      }
    }
  }
  return checks;
}

/**
 * Where each kind's API answers 401/403 (400 for Gemini) without a key: Azure and Bedrock check
 * the credentials before the deployment or model.
 */
const PROBE_PATHS: Record<ProviderConfig['kind'], string> = {
  openai: '/v1/chat/completions',
  anthropic: '/v1/messages',
  'azure-openai': '/openai/deployments/bastion-doctor/chat/completions?api-version=2024-10-21',
  gemini: '/v1beta/models/gemini-2.5-flash:generateContent',
  bedrock: '/model/bastion-doctor/converse',
};

/**
 * A TCP connect proves the host, not the path: a base URL whose path is wrong (Groq's
 * `/openai` left out) would pass. So POST an empty body to the endpoint the gateway calls, as
 * it builds the URL, without a key (nothing is spent, no secret travels): a provider answers
 * 401 or 400 where its API is, and 404 where it is not.
 */
async function reachability(loaded: LoadedConfig): Promise<Check[]> {
  if (loaded.isMockMode) return [];
  return Promise.all(
    Object.entries(loaded.config.providers).map(async ([id, pc]): Promise<Check> => {
      const url = new URL(pc.baseUrl);
      const endpoint = PROBE_PATHS[pc.kind];
      const path = joinEndpointPath(basePathOf(pc.baseUrl), endpoint);
      let status: number;
      try {
        const res = await fetch(new URL(path, url.origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          redirect: 'manual',
          signal: AbortSignal.timeout(NET_TIMEOUT_MS),
        });
        await res.body?.cancel();
        status = res.status;
      } catch (err) {
        return {
          area: 'providers',
          status: 'warn',
          message: `${id}: ${url.host}: ${fetchFailure(err)}`,
        };
      }
      if (status === 404) {
        return {
          area: 'providers',
          status: 'fail',
          message: `${id}: ${url.host} answers 404 at ${path}: check the path of providers.${id}.baseUrl`,
        };
      }
      return { area: 'providers', status: 'ok', message: `${id}: ${url.host}${path} reachable` };
    }),
  );
}

/** fetch hides the socket's code (ECONNREFUSED, ENOTFOUND) in `cause`. */
function fetchFailure(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError')
    return `no answer in ${NET_TIMEOUT_MS} ms`;
  return reason((err as { cause?: unknown } | null)?.cause ?? err);
}

async function jwksCheck(config: Config): Promise<Check[]> {
  const { jwt } = config;
  if (!jwt.enabled) return [];
  const where = jwt.jwksUrl ?? jwt.jwksFile ?? '';
  try {
    const body: unknown =
      jwt.jwksUrl !== undefined
        ? await fetch(jwt.jwksUrl, { signal: AbortSignal.timeout(NET_TIMEOUT_MS) }).then((r) =>
            r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)),
          )
        : JSON.parse(readFileSync(where, 'utf8'));
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new Error('no keys in the JWKS');
    return [{ area: 'jwt', status: 'ok', message: `${where}: ${plural(keys.length, 'key')}` }];
  } catch (err) {
    return [{ area: 'jwt', status: 'fail', message: `${where}: ${reason(err)}` }];
  }
}

/** A code or a short message, scrubbed: never a URL's password or a key. */
function reason(err: unknown): string {
  if (isGatewayError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return scrubber.scrub(err instanceof Error ? err.message : String(err)).slice(0, 200);
}
