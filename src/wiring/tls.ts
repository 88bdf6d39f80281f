import type { Config } from '../config/schema.js';
import type { SecretResolver } from '../secrets/types.js';
import { resolveTls, type TlsConfig, type TlsSource } from '../server/tls.js';

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
