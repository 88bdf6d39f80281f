import type { LoadedConfig } from '../config/load.js';
import { preloadSecrets, startupSecretRefs, type SecretLookup } from '../config/startup-secrets.js';
import type { Logger } from '../log/logger.js';
import { configuredChainKeyring, type ChainKeyring } from '../pipeline/audit/chain-key.js';
import { configuredUserIdKey } from '../pipeline/audit/user-id.js';
import { createConfiguredResolver } from '../secrets/from-config.js';
import type { SecretResolver } from '../secrets/types.js';
import type { Clock } from '../util/clock.js';

/** Secrets first: every startup reference resolves here (async, audited), or start fails. */
export async function buildSecrets(
  loaded: LoadedConfig,
  deps: { env: NodeJS.ProcessEnv; log: Logger },
  clock: Clock,
): Promise<{
  secrets: SecretResolver;
  secretOf: SecretLookup;
  chainKeys: ChainKeyring;
  userIdKey: Buffer | undefined;
}> {
  const { config } = loaded;
  const secrets = createConfiguredResolver(config.secrets, { env: deps.env, log: deps.log, clock });
  try {
    const secretOf = await preloadSecrets(secrets, startupSecretRefs(config, loaded.isMockMode));
    // Only the current key: earlier ones (audit.previousChainKeys) serve `audit verify` alone.
    const chainKeys = await configuredChainKeyring({ chainKey: config.audit.chainKey }, secrets);
    const userIdKey = await configuredUserIdKey(config.audit, secrets);
    return { secrets, secretOf, chainKeys, userIdKey };
  } catch (err) {
    await secrets.close();
    throw err;
  }
}
