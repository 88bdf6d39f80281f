import { liveSecret, type SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import { createAuditChain } from '../pipeline/audit/chain.js';
import type { ChainKeyring } from '../pipeline/audit/chain-key.js';
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
import { buildAuditRecord } from '../pipeline/audit/record.js';
import type { Pipelines } from '../pipeline/order.js';
import type { Server } from 'node:http';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export function buildAudit(
  config: Config['audit'],
  deps: { store: Store; chainKeys: ChainKeyring; clock: Clock; log: Logger },
): AuditWriter {
  const { chainKeys } = deps;
  return createAuditWriter(
    {
      store: deps.store,
      log: deps.log.child({ mod: 'audit' }),
      chain: createAuditChain({ hash: chainKeys.current, keyId: chainKeys.currentKeyId }),
      clock: deps.clock,
    },
    config,
  );
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
    tls: TlsSource | undefined;
    clock: Clock;
    log: Logger;
  },
): Server {
  const { audit, metrics } = deps;
  return createDataPlane(
    {
      pipelines: deps.pipelines,
      log: deps.log,
      clock: deps.clock,
      onFinished(ctx) {
        const record = buildAuditRecord(ctx);
        audit.write(record);
        metrics?.record(record);
      },
    },
    {
      bodyLimitBytes: config.bodyLimitBytes,
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      trustProxyHops: config.trustProxyHops,
      cors: deps.cors,
      tls: deps.tls,
    },
  );
}
