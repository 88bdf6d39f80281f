import { createHash } from 'node:crypto';
import { liveSecret, type SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import { createAuditChain } from '../pipeline/audit/chain.js';
import type { ChainKeyring } from '../pipeline/audit/chain-key.js';
import { openAuditSpool, replaySpool, type AuditSpool } from '../pipeline/audit/spool.js';
import { createAuditWriter, type AuditWriter } from '../pipeline/audit/writer.js';
import { createAuthenticateStage } from '../pipeline/auth/authenticate.js';
import { createJwtVerifier } from '../pipeline/auth/jwt.js';
import { createGuardStages, type GuardStages } from '../pipeline/guard/build.js';
import type { Stage } from '../pipeline/stage.js';
import type { Logger } from '../log/logger.js';
import type { Cors } from '../server/cors.js';
import type { TlsSource } from '../server/tls.js';
import { createDataPlane } from '../server/data-plane.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { AnomalyTracker } from '../policy/anomaly/tracker.js';
import { buildAuditRecord } from '../pipeline/audit/record.js';
import type { Pipelines } from '../pipeline/order.js';
import type { RequestTracer } from '../pipeline/trace.js';
import type { Server } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

/**
 * The audit writer. With `durability: spooled` it first replays what a crash left in the spool
 * (so the rows are in the store before the gateway serves), then spools from there.
 */
export async function buildAudit(
  config: Config['audit'],
  deps: {
    store: Store;
    stores: Config['stores'];
    chainKeys: ChainKeyring;
    clock: Clock;
    log: Logger;
  },
): Promise<AuditWriter> {
  const { chainKeys } = deps;
  const log = deps.log.child({ mod: 'audit' });
  const spoolPath =
    config.durability === 'spooled'
      ? auditSpoolPath(config, deps.stores, deps.store.location)
      : undefined;
  let spool: AuditSpool | undefined;
  if (spoolPath !== undefined) {
    log.info({ event: 'audit_spool_path', path: spoolPath });
    const opened = await openAuditSpool(spoolPath);
    try {
      await replaySpool({ store: deps.store, log }, opened.leftover, config.batchSize);
    } catch (err) {
      // The rows stay in the spool for the next start; nothing is served without them.
      await opened.spool.close(false);
      throw err;
    }
    await opened.spool.dropReplayed();
    spool = opened.spool;
  }
  return createAuditWriter(
    {
      store: deps.store,
      log,
      chain: createAuditChain({ hash: chainKeys.current, keyId: chainKeys.currentKeyId }),
      clock: deps.clock,
      ...(spool === undefined ? {} : { spool }),
    },
    config,
  );
}

/**
 * The spool directory (one file per gateway instance in it), absolute, resolved once at start:
 * beside the SQLite file (`<path>.audit-spool.d`), or with Postgres in the SQLite file's
 * directory, the gateway's data directory (`/var/lib/bastion` in the image), named after the
 * schema and a digest of the store's location (server, port, database, schema), so a restart
 * from another working directory replays the same spool and gateways on one host writing to
 * different databases never replay each other's rows. None for an in-memory database.
 */
export function auditSpoolPath(
  config: Config['audit'],
  stores: Config['stores'],
  storeLocation: string,
): string | undefined {
  if (config.spoolPath !== undefined) return resolve(config.spoolPath);
  const { path } = stores.sqlite;
  if (stores.kind === 'postgres') {
    const digest = createHash('sha256').update(storeLocation).digest('hex').slice(0, 12);
    return resolve(
      dirname(path === ':memory:' || path === '' ? './data/bastion.db' : path),
      `audit-spool-${stores.postgres.schema}-${digest}`,
    );
  }
  return path === ':memory:' || path === '' ? undefined : resolve(`${path}.audit-spool.d`);
}

export function buildAuthenticate(
  config: Config,
  deps: { store: Store; cors: Cors | undefined },
): Stage {
  const { cors } = deps;
  return createAuthenticateStage({
    keys: deps.store,
    jwt: config.jwt.enabled
      ? { verifier: createJwtVerifier(config.jwt), env: config.jwt.env }
      : undefined,
    refusesVirtualKeyFrom:
      cors === undefined || cors.allowVirtualKeys
        ? undefined
        : (origin) => config.server.cors.allowedOrigins.includes(origin),
  });
}

export function buildGuard(config: Config['guard'], secretOf: SecretLookup): GuardStages {
  return createGuardStages(config, { resolveSecret: (ref) => liveSecret(secretOf, ref) });
}

/** The data plane: runs the pipelines; each finished exchange is audited and counted. */
export function buildDataPlane(
  config: Config['server'],
  deps: {
    pipelines: Pipelines;
    cors: Cors | undefined;
    audit: AuditWriter;
    metrics: Metrics | undefined;
    /** The anomaly detector (undefined when `anomalies.enabled` is off). */
    anomalies: AnomalyTracker | undefined;
    /** telemetry.tracing; its pipelines come wrapped already (wiring/tracing.ts). */
    tracer: RequestTracer;
    tls: TlsSource | undefined;
    /** audit.durability: `sync` holds each response's end until its row is stored. */
    durability: Config['audit']['durability'];
    clock: Clock;
    log: Logger;
  },
): Server {
  const { audit, metrics, anomalies } = deps;
  return createDataPlane(
    {
      pipelines: deps.pipelines,
      tracer: deps.tracer,
      log: deps.log,
      clock: deps.clock,
      onFinished(ctx) {
        const record = buildAuditRecord(ctx);
        metrics?.record(record);
        anomalies?.observe(record, ctx.presentedKeyPrefix);
        if (deps.durability === 'sync') return audit.writeStored(record);
        audit.write(record);
        return undefined;
      },
    },
    {
      bodyLimitBytes: config.bodyLimitBytes,
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      trustProxyHops: config.trustProxyHops,
      cors: deps.cors,
      tls: deps.tls,
      holdsEndForAudit: deps.durability === 'sync',
    },
  );
}
