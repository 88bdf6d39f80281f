import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore } from '../wiring/stores.js';
import { createLogger } from '../log/logger.js';
import type { Config } from '../config/schema.js';
import { createConfiguredResolver } from '../secrets/from-config.js';
import { preloadSecrets, startupSecretRefs } from '../config/startup-secrets.js';
import type { SecretResolver } from '../secrets/types.js';
import type { Store } from '../store/types.js';
import { CliFailure, type CliIo } from './command.js';
import { loadCliConfig } from './config-flags.js';

/** What a command may need besides the store: the config and its secret resolver. */
export interface StoreContext {
  config: Readonly<Config>;
  secrets: Pick<SecretResolver, 'handle'>;
}

/**
 * Opens the same store a running gateway uses (same config), runs `fn`, closes it. With
 * `mustExist`, a SQLite file that is not there is refused instead of created: a read from the
 * wrong folder would otherwise show a new, empty store as if the gateway had no keys.
 */
export async function withStore<T>(
  values: { config?: string | undefined },
  io: CliIo,
  fn: (store: Store, ctx: StoreContext) => Promise<T>,
  opts: { mustExist?: boolean } = {},
): Promise<T> {
  const { config } = loadCliConfig(values, io.env, io.cwd);
  if (opts.mustExist === true) refuseMissingSqlite(config.stores);
  // The store URL may come from any secret source, as it does for `serve`.
  const secrets = createConfiguredResolver(config.secrets, {
    env: io.env,
    log: createLogger({ level: 'silent' }),
  });
  try {
    const refs = startupSecretRefs({ stores: config.stores, providers: {} }, false);
    const store = await openStore(config.stores, io.env, await preloadSecrets(secrets, refs));
    try {
      await store.migrate();
      return await fn(store, { config, secrets });
    } finally {
      await store.close();
    }
  } finally {
    await secrets.close();
  }
}

function refuseMissingSqlite(stores: Config['stores']): void {
  const path = stores.sqlite.path;
  if (stores.kind !== 'sqlite' || path === ':memory:' || existsSync(path)) return;
  throw new CliFailure(
    `no store at ${resolve(path)}; run from the gateway's folder, or point at its config with ` +
      '--config FILE or BASTION_CONFIG (the store is stores.sqlite.path, BASTION_STORES__SQLITE__PATH)',
  );
}

/** `30d`, `12h`, `90m` or an ISO date → epoch ms. */
export function parseExpiry(value: string, nowMs: number): number | undefined {
  const rel = /^(\d{1,6})([dhm])$/.exec(value);
  if (rel !== null) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return nowMs + Number(rel[1]) * unit;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
