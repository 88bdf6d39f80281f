import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { preloadGuardModels } from '../pipeline/guard/build.js';
import type { ConfigReloadReport } from '../server/admin/config-reload.js';
import { differingPaths } from '../util/deep-equal.js';
import { preloadSecrets, startupSecretRefs, type SecretLookup } from '../config/startup-secrets.js';
import type { Upstreams } from '../pipeline/upstream/build.js';
import type { SecretResolver } from '../secrets/types.js';
import type { AdminAuth } from '../server/admin/auth.js';
import { buildAdminCredentials } from './admin-auth.js';

/**
 * Settings a running gateway cannot take on: listeners, stores, the counter backend, breakers'
 * sharing, the audit chain, the secret sources, logging, the anomaly detector and the reload
 * settings themselves.
 * `controlPlane.admin` is the one part of its section that changes live.
 */
const FIXED: readonly string[] = [
  'server',
  'controlPlane.enabled',
  'controlPlane.host',
  'controlPlane.port',
  'controlPlane.tls',
  'controlPlane.metrics',
  'stores',
  'limits.backend',
  'limits.redis',
  'upstream.circuit',
  'policy.killSwitchPollMs',
  'policy.killSwitchMaxStaleMs',
  'audit',
  'anomalies',
  'secrets',
  'log',
  'reload',
];

export interface ConfigReloaderDeps {
  /** Reads and checks the configuration as at start (file, env, flags); throws `ConfigError`. */
  source: () => LoadedConfig;
  /** Builds the new generation and swaps it in; throws when a new secret does not resolve. */
  apply: (next: LoadedConfig) => Promise<void>;
  log: Logger;
}

export interface ConfigReloader {
  /** One reload at a time: a call made during another waits for it. */
  reload(trigger: 'signal' | 'admin' | 'watch'): Promise<ConfigReloadReport>;
  readonly current: LoadedConfig;
}

/** Reload: read and check the file, refuse fixed settings, apply, report what changed. */
export function createConfigReloader(
  initial: LoadedConfig,
  deps: ConfigReloaderDeps,
): ConfigReloader {
  let current = initial;
  let queue: Promise<unknown> = Promise.resolve();

  async function attempt(): Promise<ConfigReloadReport> {
    let next: LoadedConfig;
    try {
      next = deps.source();
      preloadGuardModels(next.config.guard);
    } catch (err) {
      const problems =
        err instanceof ConfigError
          ? err.problems
          : [`the configuration cannot be loaded: ${describe(err)}`];
      return { outcome: 'refused', code: 'config_invalid', problems };
    }
    const fixed = fixedChanges(current, next);
    if (fixed.length > 0) {
      const problems = fixed.map(
        (path) => `${path}: cannot change on a running gateway; restart to apply it`,
      );
      return { outcome: 'refused', code: 'config_not_live', problems };
    }
    const changed = differingPaths(current.config, next.config, 2);
    if (changed.length === 0) return { outcome: 'unchanged' };
    try {
      await deps.apply(next);
    } catch (err) {
      return { outcome: 'refused', code: 'config_invalid', problems: [describe(err)] };
    }
    current = next;
    return { outcome: 'applied', changed };
  }

  return {
    get current() {
      return current;
    },
    reload(trigger) {
      const run = queue.then(attempt).then((report) => {
        if (report.outcome === 'refused') {
          deps.log.error({
            event: 'config_reload_refused',
            trigger,
            code: report.code,
            problems: report.problems,
          });
        } else if (report.outcome === 'applied') {
          deps.log.info({ event: 'config_reloaded', trigger, changed: report.changed });
        } else {
          deps.log.info({ event: 'config_unchanged', trigger });
        }
        return report;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

function fixedChanges(current: LoadedConfig, next: LoadedConfig): string[] {
  const out: string[] = [];
  if (current.isMockMode !== next.isMockMode) out.push('providers (built-in mock mode on or off)');
  for (const path of FIXED) {
    const a = at(current.config, path);
    const b = at(next.config, path);
    out.push(...differingPaths(a, b, 3, path).map((p) => (p === '(top level)' ? path : p)));
  }
  return out;
}

function at(config: Config, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split('.')) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value;
}

function describe(err: unknown): string {
  if (err instanceof ConfigError) return err.problems.join('; ');
  // Our own errors (GatewayError: a secret that did not resolve) carry messages we wrote.
  if (err instanceof Error && 'code' in err) return err.message;
  return 'an unexpected error; see the gateway log';
}

/**
 * Watches the config file's directory (a Kubernetes ConfigMap swaps a `..data` symlink, which a
 * watch on the file itself would miss) and reloads when the file's content changes.
 */
export function watchConfigFile(
  file: string,
  opts: { debounceMs: number; reload: () => void; log: Logger },
): () => void {
  const digest = (): string | undefined => {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      return undefined;
    }
  };
  let last = digest();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(file) && !name.startsWith('..')) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const now = digest();
        if (now === undefined || now === last) return;
        last = now;
        opts.reload();
      }, opts.debounceMs);
      timer.unref();
    });
  } catch (err) {
    opts.log.error({ event: 'config_watch_failed', err });
    return () => undefined;
  }
  opts.log.info({ event: 'config_watch_started', file: basename(file) });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/**
 * The gateway's reloader: resolves the secret references the new file adds and its admin
 * tokens first (either may fail, and then nothing changed), then swaps without awaiting, so no
 * request sees half of it: the secret lookup, the upstream pools, the pipelines and policy, the
 * admin tokens; then retires what the old configuration alone used.
 */
export function createAppReloader(
  loaded: LoadedConfig,
  deps: {
    source: () => LoadedConfig;
    env: NodeJS.ProcessEnv;
    secrets: SecretResolver;
    lookup: { replace(next: SecretLookup): void };
    upstreams: Pick<Upstreams, 'reconfigure'>;
    live: { swap(next: Config, secretOf: SecretLookup): void };
    /** The control plane's admin tokens; undefined without a control plane. */
    adminAuth: () => AdminAuth | undefined;
    log: Logger;
  },
): ConfigReloader {
  return createConfigReloader(loaded, {
    source: deps.source,
    log: deps.log.child({ mod: 'config' }),
    async apply(next) {
      const secretOf = await preloadSecrets(
        deps.secrets,
        startupSecretRefs(next.config, next.isMockMode),
      );
      const adminAuth = deps.adminAuth();
      const credentials =
        adminAuth === undefined
          ? undefined
          : await buildAdminCredentials(next.config.controlPlane.admin, {
              env: deps.env,
              secrets: deps.secrets,
              log: deps.log,
            });
      // The swap: nothing below awaits.
      deps.lookup.replace(secretOf);
      const { retire } = deps.upstreams.reconfigure(next.config);
      deps.live.swap(next.config, secretOf);
      if (credentials !== undefined) adminAuth?.replace(credentials);
      retire();
    },
  });
}

/** `reload.watch`: a watcher on the config file that reloads on change; a no-op otherwise. */
export function configWatcher(
  config: Config['reload'],
  file: string | undefined,
  deps: { reloader: ConfigReloader; log: Logger },
): () => () => void {
  if (!config.watch || file === undefined) return () => () => undefined;
  return () =>
    watchConfigFile(file, {
      debounceMs: config.debounceMs,
      reload: () => void deps.reloader.reload('watch'),
      log: deps.log,
    });
}
