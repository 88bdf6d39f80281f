import { Secret } from '../log/secret.js';
import { secretError } from './errors.js';
import type { SecretSource } from './types.js';

/** `env:NAME`: a variable of the process environment (read on every fetch, so reload sees changes). */
export function createEnvSource(deps: { env: NodeJS.ProcessEnv }): SecretSource<'env'> {
  return {
    scheme: 'env',
    resolve(ref) {
      const value = deps.env[ref.name];
      if (value === undefined || value.trim() === '') {
        return Promise.reject(
          secretError(
            'secret_not_found',
            ref.raw,
            'the variable is not set or empty; set it before starting',
          ),
        );
      }
      return Promise.resolve({ secret: new Secret(value) });
    },
  };
}
