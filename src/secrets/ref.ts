import type { SecretRef } from './types.js';

/**
 * Parses a secret reference. Syntaxes (see docs/secrets.md):
 *   env:NAME                                   environment variable
 *   file:/run/secrets/openai                   file (Docker / Kubernetes secret), trailing newline trimmed
 *   vault:NAME                                 the encrypted local vault
 *   hcv:<mount>/data/<path>[#field]            HashiCorp Vault KV v2 (alias: hashicorp:)
 *   aws:<name-or-arn>[#jsonField]              AWS Secrets Manager, AWSCURRENT version
 *   azure:<vault-name>/<secret-name>[/<version>] Azure Key Vault
 *   gcp:projects/<p>/secrets/<s>[/versions/<v>] Google Secret Manager, `latest` by default
 * Returns the parsed reference or a sentence saying what is wrong.
 */
export function parseSecretRef(raw: string): SecretRef | { error: string } {
  const colon = raw.indexOf(':');
  if (colon <= 0) return { error: 'a secret reference starts with a scheme, e.g. env:NAME' };
  const scheme = raw.slice(0, colon);
  const body = raw.slice(colon + 1);
  if (body === '') return { error: `nothing after "${scheme}:"` };
  if (/\s/.test(body)) return { error: 'a secret reference has no spaces' };
  switch (scheme) {
    case 'env':
      return ENV_NAME.test(body)
        ? { scheme: 'env', raw, name: body }
        : { error: 'env: takes a variable name like OPENAI_API_KEY' };
    case 'file':
      return { scheme: 'file', raw, path: body };
    case 'vault':
      return VAULT_NAME.test(body)
        ? { scheme: 'vault', raw, name: body }
        : { error: 'vault: takes a name of letters, digits and . _ / - (at most 128)' };
    case 'hcv':
    case 'hashicorp':
      return parseHashicorp(raw, body);
    case 'aws':
      return parseAws(raw, body);
    case 'azure':
      return parseAzure(raw, body);
    case 'gcp':
      return parseGcp(raw, body);
    default:
      return { error: `unknown scheme "${scheme}:"; use env, file, vault, hcv, aws, azure or gcp` };
  }
}

/** Like parseSecretRef, for references already validated by the config schema. */
export function mustParseSecretRef(raw: string): SecretRef {
  const parsed = parseSecretRef(raw);
  if ('error' in parsed) throw new TypeError(`invalid secret reference: ${parsed.error}`);
  return parsed;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const FIELD = /^[A-Za-z0-9._-]{1,128}$/;
const AZURE_VAULT = /^[A-Za-z][A-Za-z0-9-]{2,23}$/;
const AZURE_NAME = /^[A-Za-z0-9-]{1,127}$/;
const AZURE_VERSION = /^[0-9A-Za-z]{32}$/;
const GCP_SEGMENT = /^[A-Za-z0-9_-]{1,255}$/;

function splitField(body: string): { main: string; field: string | undefined } | undefined {
  const hash = body.indexOf('#');
  if (hash === -1) return { main: body, field: undefined };
  const field = body.slice(hash + 1);
  return FIELD.test(field) ? { main: body.slice(0, hash), field } : undefined;
}

function parseHashicorp(raw: string, body: string): SecretRef | { error: string } {
  const usage = 'hcv: takes <mount>/data/<path>[#field], e.g. hcv:secret/data/bastion/openai#key';
  const split = splitField(body);
  if (split === undefined) return { error: usage };
  const at = split.main.indexOf('/data/');
  if (at <= 0 || split.main.startsWith('/')) return { error: usage };
  const path = split.main.slice(at + '/data/'.length);
  if (path === '' || path.startsWith('/') || path.endsWith('/') || path.includes('//'))
    return { error: usage };
  return { scheme: 'hcv', raw, mount: split.main.slice(0, at), path, field: split.field };
}

function parseAws(raw: string, body: string): SecretRef | { error: string } {
  const split = splitField(body);
  if (split === undefined || split.main === '' || split.main.length > 2048)
    return { error: 'aws: takes a secret name or ARN and an optional #jsonField' };
  return { scheme: 'aws', raw, secretId: split.main, field: split.field };
}

function parseAzure(raw: string, body: string): SecretRef | { error: string } {
  const [vault, name, version, ...rest] = body.split('/');
  const ok =
    vault !== undefined &&
    AZURE_VAULT.test(vault) &&
    name !== undefined &&
    AZURE_NAME.test(name) &&
    (version === undefined || AZURE_VERSION.test(version)) &&
    rest.length === 0;
  if (!ok) return { error: 'azure: takes <vault-name>/<secret-name>[/<version>]' };
  return { scheme: 'azure', raw, vault, name, version };
}

function parseGcp(raw: string, body: string): SecretRef | { error: string } {
  const parts = body.split('/');
  const [p, project, s, secret, v, version] = parts;
  const hasVersion = parts.length === 6 && v === 'versions' && GCP_SEGMENT.test(version ?? '');
  const ok =
    (parts.length === 4 || hasVersion) &&
    p === 'projects' &&
    s === 'secrets' &&
    GCP_SEGMENT.test(project ?? '') &&
    GCP_SEGMENT.test(secret ?? '');
  if (!ok) return { error: 'gcp: takes projects/<project>/secrets/<secret>[/versions/<version>]' };
  const name = `projects/${project}/secrets/${secret}/versions/${hasVersion ? version : 'latest'}`;
  return { scheme: 'gcp', raw, name };
}
