import { parseArgs } from 'node:util';
import { createApp, type App } from '../../app.js';
import type { Config } from '../../config/schema.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { issueVirtualKey } from '../../pipeline/auth/virtual-key.js';
import type { KeyStore } from '../../store/types.js';
import type { CliCommand, CliIo } from '../command.js';
import { capYoungGeneration } from '../heap.js';
import { CONFIG_FLAGS, configFilePath, loadCliConfig } from '../config-flags.js';
import { describeListenError, parsePort } from '../listen-errors.js';

export const command: CliCommand = {
  name: 'serve',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        ...CONFIG_FLAGS,
        port: { type: 'string' },
        host: { type: 'string' },
        'control-port': { type: 'string' },
      },
    });
    const server: Record<string, unknown> = {};
    if (values.port !== undefined) server.port = parsePort(values.port, '--port');
    if (values.host !== undefined) server.host = values.host;
    const controlPlane: Record<string, unknown> = {};
    if (values['control-port'] !== undefined) {
      controlPlane.port = parsePort(values['control-port'], '--control-port');
    }
    const overrides = { server, controlPlane };
    const loaded = loadCliConfig(values, io.env, io.cwd, overrides);
    const log = createLogger({ level: loaded.config.log.level });
    const app = await createApp(loaded, {
      env: io.env,
      log,
      reloadSource: () => loadCliConfig(values, io.env, io.cwd, overrides),
      configFile: configFilePath(values, io.env, io.cwd),
    });
    // Installed before start: the default action of SIGHUP, SIGTERM and SIGINT ends the process,
    // and a supervisor (or a test) may signal as soon as `gateway_started` is logged. A signal
    // during start stops the gateway once started; each handler runs once, so a second signal of
    // the same kind ends the process at once (a start that hangs on a store).
    const reload = reloadOnSignal(app, log);
    process.on('SIGHUP', reload);
    let requestStop: (signal: string) => void = () => undefined;
    const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
    const onTerm = () => requestStop('SIGTERM');
    const onInt = () => requestStop('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    let unwatchHeap: () => void = () => undefined;
    try {
      const { dataUrl } = await startOrExplain(app, loaded.config);
      // Held at its initial size through start-up (heap.ts); from now on it follows the load.
      unwatchHeap = capYoungGeneration();
      if (loaded.isMockMode) await printDemoBanner(app.store, dataUrl, io);
      const signal = await stopRequested;
      log.info({ event: 'shutdown_requested', signal });
      await app.stop().catch((err: unknown) => log.error({ event: 'shutdown_failed', err }));
    } finally {
      unwatchHeap();
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', reload);
    }
    log.flush();
    return 0;
  },
};

/** Starts the gateway; a port that cannot be bound stops it and says which port and how to move it. */
async function startOrExplain(app: App, config: Config): Promise<{ dataUrl: string }> {
  try {
    return await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    throw describeListenError(err, [
      {
        port: config.server.port,
        what: 'data-plane port',
        fix: 'pick another with --port or server.port (BASTION_SERVER__PORT)',
      },
      {
        port: config.controlPlane.port,
        what: 'control-plane port',
        fix: 'is another gateway running here? pick another with --control-port or controlPlane.port (BASTION_CONTROL_PLANE__PORT)',
      },
    ]);
  }
}

/**
 * SIGHUP fetches every held secret again (the resolver logs `secrets_reloaded` with counts; a
 * reference that fails keeps serving its previous value), then reloads the configuration (logged
 * as `config_reloaded`, or `config_reload_refused` with the problems while the running one keeps
 * serving). The process never exits on it.
 */
function reloadOnSignal(app: Pick<App, 'secrets' | 'reloadConfig'>, log: Logger): () => void {
  return function reloadSecretsAndConfig() {
    log.info({ event: 'reload_requested', signal: 'SIGHUP' });
    app.secrets
      .reload()
      .catch((err: unknown) => log.error({ event: 'secrets_reload_failed', err }))
      .then(() => app.reloadConfig('signal'))
      .catch((err: unknown) => log.error({ event: 'config_reload_failed', err }));
  };
}

/**
 * With the built-in mock provider and no keys yet, issue one dev key so a newcomer can try the
 * gateway at once. It is printed once, on stderr, outside the JSON log stream.
 */
async function printDemoBanner(store: KeyStore, dataUrl: string, io: CliIo): Promise<void> {
  const key = (await store.listKeys()).length === 0 ? await issueDemoKey(store) : undefined;
  const lines = [
    '',
    'Bastion is running against its built-in mock provider (no provider key configured).',
    `  base URL:  ${dataUrl}/v1`,
    '  models:    gpt-4o-mini, text-embedding-3-small, claude-haiku-4-5, ...',
    key === undefined
      ? '  key:       create one with: npx bastion keys create --name demo --env dev'
      : `  demo key:  export BASTION_KEY=${key}   (shown once; a dev key named "demo", ${DEMO_KEY_RPM} requests a minute)`,
    '',
    `  curl ${dataUrl}/v1/chat/completions -H "Authorization: Bearer $BASTION_KEY" \\`,
    `    -H 'content-type: application/json' -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'`,
    '',
  ];
  io.stderr.write(`${lines.join('\n')}\n`);
}

const DEMO_KEY_RPM = 120;

async function issueDemoKey(store: KeyStore): Promise<string> {
  // The dev default (10 a minute) runs out while following the README; the mock costs nothing.
  const issued = issueVirtualKey({
    name: 'demo',
    env: 'dev',
    nowMs: Date.now(),
    scopes: { limits: { rpm: DEMO_KEY_RPM } },
  });
  await store.insertKey(issued.record);
  return issued.secret;
}
