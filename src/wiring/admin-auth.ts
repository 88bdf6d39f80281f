import { ENV_ADMIN_LABEL, type Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { AdminCredential } from '../server/admin/auth.js';
import { adminTokenFromEnv, MIN_TOKEN_LENGTH } from '../server/admin/token.js';
import type { SecretResolver } from '../secrets/types.js';

/**
 * The admin API's tokens: `BASTION_ADMIN_TOKEN` (an admin labelled `env-admin`) and every entry
 * of `controlPlane.admin.tokens`, resolved through the secrets resolver (audited, scrubbed, and
 * following reloads). A token shorter than 16 characters is left out and reported by label.
 */
export async function buildAdminCredentials(
  config: Config['controlPlane']['admin'],
  deps: { env: NodeJS.ProcessEnv; secrets: SecretResolver; log: Logger },
): Promise<AdminCredential[]> {
  const credentials: AdminCredential[] = [];
  const fromEnv = adminTokenFromEnv(deps.env, deps.log);
  if (fromEnv !== undefined)
    credentials.push({ label: ENV_ADMIN_LABEL, role: 'admin', current: () => fromEnv });
  for (const { label, role, token } of config.tokens) {
    const handle = await deps.secrets.handle(token, { component: `admin:${label}` });
    if (handle.current().reveal().length < MIN_TOKEN_LENGTH) {
      deps.log.error({ event: 'admin_token_too_short', label, minLength: MIN_TOKEN_LENGTH });
      continue;
    }
    credentials.push({ label, role, current: () => handle.current() });
  }
  return credentials;
}
