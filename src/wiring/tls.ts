import type { Config } from '../config/schema.js';
import type { SecretResolver } from '../secrets/types.js';
import type { Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import { reloadTlsOnChange, resolveTls, type TlsConfig, type TlsSource } from '../server/tls.js';

/** Each plane's TLS material, resolved at start (a missing reference stops the start). */
export async function buildTls(
  config: Config,
  secrets: SecretResolver,
): Promise<{ data: TlsSource | undefined; control: TlsSource | undefined }> {
  const data = await startupTls(config.server.tls, secrets, 'tls:data');
  const control = await startupTls(config.controlPlane.tls, secrets, 'tls:control');
  return { data, control };
}

async function startupTls(
  config: TlsConfig | undefined,
  secrets: SecretResolver,
  component: string,
): Promise<TlsSource | undefined> {
  if (config === undefined) return undefined;
  return resolveTls(config, secrets, component).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
}

/** Each listener with TLS serves a certificate changed in its secret source from then on. */
export function reloadTlsOnChanges(
  servers: { data: Server; control: Server | undefined },
  tls: { data: TlsSource | undefined; control: TlsSource | undefined },
  secrets: Pick<SecretResolver, 'onChange'>,
  log: Logger,
): void {
  if (tls.data !== undefined) reloadTlsOnChange(servers.data, tls.data, secrets, log, 'data');
  if (servers.control !== undefined && tls.control !== undefined) {
    reloadTlsOnChange(servers.control, tls.control, secrets, log, 'control');
  }
}
