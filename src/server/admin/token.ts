import type { Logger } from '../../log/logger.js';
import { scrubber } from '../../log/scrub.js';
import { Secret } from '../../log/secret.js';

export const MIN_TOKEN_LENGTH = 16;

/**
 * The admin token from `BASTION_ADMIN_TOKEN`. Unset or shorter than 16 characters: the admin
 * API stays disabled (403 admin_disabled), and a short token is reported, never printed.
 */
export function adminTokenFromEnv(env: NodeJS.ProcessEnv, log: Logger): Secret | undefined {
  const raw = env.BASTION_ADMIN_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  scrubber.addKnownSecret(raw);
  if (raw.length < MIN_TOKEN_LENGTH) {
    log.error({ event: 'admin_token_too_short', minLength: MIN_TOKEN_LENGTH });
    return undefined;
  }
  return new Secret(raw);
}
