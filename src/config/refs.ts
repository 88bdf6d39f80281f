import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors/gateway-error.js';
import { Secret } from '../log/secret.js';
import { scrubber } from '../log/scrub.js';

/**
 * Resolves a secret reference (`env:NAME`, `file:/path`) to a value held in memory only.
 * Every resolved value joins the process scrubber, so it can never reach a log or a caller.
 */
export function resolveSecretRef(ref: string, env: NodeJS.ProcessEnv): Secret {
  let value: string | undefined;
  if (ref.startsWith('env:')) {
    value = env[ref.slice(4)];
  } else if (ref.startsWith('file:')) {
    try {
      value = readFileSync(ref.slice(5), 'utf8').trim();
    } catch (cause) {
      throw new GatewayError('secret_unavailable', {
        message: `The secret file named by ${ref} cannot be read.`,
        cause,
      });
    }
  }
  if (value === undefined || value.trim() === '') {
    throw new GatewayError('secret_unavailable', {
      message: `The secret reference ${ref} resolves to nothing; set it before starting.`,
    });
  }
  scrubber.addKnownSecret(value);
  return new Secret(value);
}
