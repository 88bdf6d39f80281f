import type { ErrorCode } from '../errors/codes.js';
import { GatewayError } from '../errors/gateway-error.js';

type SecretErrorCode = Extract<
  ErrorCode,
  | 'secret_unavailable'
  | 'secret_auth_failed'
  | 'secret_not_found'
  | 'secret_vault_tampered'
  | 'secret_vault_wrong_key'
>;

/**
 * A typed failure of a secret source. The message names the reference and says what to do;
 * it never holds a value, a token or a manager's own error text (that stays in `cause`, which
 * the log serializer scrubs).
 */
export function secretError(
  code: SecretErrorCode,
  ref: string,
  problem: string,
  cause?: unknown,
): GatewayError {
  return new GatewayError(code, { message: `${ref}: ${problem}`, cause });
}
