import { secretError } from './errors.js';

/**
 * Picks one string field of a secret that holds several (Vault KV data, an AWS JSON secret).
 * Without `#field`, a secret with exactly one field gives that one. Messages name fields, which
 * are not secret, and never a value.
 */
export function pickField(
  ref: string,
  data: Readonly<Record<string, unknown>>,
  field: string | undefined,
): string {
  const names = Object.keys(data);
  const name = field ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    const listed = names.length === 0 ? 'no fields' : `fields ${names.slice(0, 10).join(', ')}`;
    throw secretError('secret_not_found', ref, `the secret has ${listed}; name one with #field`);
  }
  const value = Object.hasOwn(data, name) ? data[name] : undefined;
  if (value === undefined)
    throw secretError('secret_not_found', ref, `the secret has no field "${name}"`);
  if (typeof value !== 'string' || value === '')
    throw secretError('secret_not_found', ref, `the field "${name}" is not a non-empty string`);
  return value;
}
