import { z } from 'zod';
import { parseSecretRef } from './ref.js';

/**
 * Every scheme, loosely: the full structure is checked by `parseSecretRef` in the refinement,
 * which names what is wrong. (Kept loose so the regex stays linear-time.)
 */
export const SECRET_REF_PATTERN =
  /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|(vault|hcv|hashicorp|aws|azure|gcp):\S+)$/;

/** A secret manager's own credential: only `env:` or `file:`, so resolving never recurses. */
const CREDENTIAL_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

/** The reference check the config schema applies to `providers.*.apiKey` and `stores.postgres.url`. */
export function refineSecretRef(value: string, ctx: z.RefinementCtx): void {
  if (!SECRET_REF_PATTERN.test(value)) return; // the regex has reported it already
  const parsed = parseSecretRef(value);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
}

function credentialRef(example: string) {
  return z
    .string()
    .regex(CREDENTIAL_REF, { message: `inline secrets are refused; use ${example}` })
    .describe(
      `Reference to a credential: env:NAME or file:/path (e.g. ${example}). Never the value.`,
    );
}

/** A plain identifier, or an `env:`/`file:` reference to one (Azure SDK conventions). */
function idOrRef(example: string) {
  return z
    .string()
    .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|[A-Za-z0-9.-]{1,64})$/)
    .describe(`An id, or a reference to one (e.g. ${example}).`);
}

const url = z.url({ protocol: /^https?$/ });

const vaultSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .default('./data/bastion.vault')
      .describe('The encrypted local vault file (vault: references).'),
    kek: credentialRef('env:BASTION_VAULT_KEK')
      .default('env:BASTION_VAULT_KEK')
      .describe(
        'Key-encryption key: 32 bytes in base64, from env or a file outside the vault directory.',
      ),
  })
  .strict()
  .prefault({});

const hashicorpAuth = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('token'),
      token: credentialRef('env:VAULT_TOKEN').default('env:VAULT_TOKEN'),
    })
    .strict(),
  z
    .object({
      method: z.literal('approle'),
      roleId: credentialRef('env:VAULT_ROLE_ID'),
      secretId: credentialRef('file:/run/secrets/vault-secret-id'),
      mount: z
        .string()
        .regex(/^[A-Za-z0-9._/-]{1,128}$/)
        .default('approle')
        .describe('AppRole auth mount path.'),
    })
    .strict(),
]);

const hashicorpSchema = z
  .object({
    address: url.describe('Vault server, e.g. https://vault.example.com:8200 (hcv: references).'),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe('Vault Enterprise namespace (X-Vault-Namespace).'),
    auth: hashicorpAuth
      .default({ method: 'token', token: 'env:VAULT_TOKEN' })
      .describe('token (a Vault token reference) or approle (role id and secret id references).'),
  })
  .strict();

const awsSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)
      .optional()
      .describe('Region of names that are not ARNs (an ARN carries its own region).'),
    endpoint: url
      .optional()
      .describe('Override of https://secretsmanager.<region>.amazonaws.com (e.g. a VPC endpoint).'),
    accessKeyId: credentialRef('env:AWS_ACCESS_KEY_ID').default('env:AWS_ACCESS_KEY_ID'),
    secretAccessKey: credentialRef('env:AWS_SECRET_ACCESS_KEY').default(
      'env:AWS_SECRET_ACCESS_KEY',
    ),
    sessionToken: credentialRef('env:AWS_SESSION_TOKEN')
      .optional()
      .describe('For temporary credentials.'),
  })
  .strict();

const azureSchema = z
  .object({
    tenantId: idOrRef('env:AZURE_TENANT_ID').default('env:AZURE_TENANT_ID'),
    clientId: idOrRef('env:AZURE_CLIENT_ID').default('env:AZURE_CLIENT_ID'),
    clientSecret: credentialRef('env:AZURE_CLIENT_SECRET').default('env:AZURE_CLIENT_SECRET'),
    authorityHost: url
      .default('https://login.microsoftonline.com')
      .describe('Microsoft Entra ID token host.'),
    vaultUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/)
      .default('https://{vault}.vault.azure.net')
      .describe('Key Vault URL; {vault} is replaced by the vault name of the azure: reference.'),
  })
  .strict();

const gcpSchema = z
  .object({
    credentials: credentialRef('file:/run/secrets/gcp-service-account.json').describe(
      'Reference to a service-account JSON key (its content, not its path).',
    ),
    endpoint: url
      .default('https://secretmanager.googleapis.com')
      .describe('Secret Manager API origin.'),
    tokenUri: url.optional().describe("Override of the key file's token_uri."),
  })
  .strict();

export const secretsSchema = z
  .object({
    cacheTtlSec: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Fetch a held secret again once it is this old; 0: only on reload (SIGHUP or the admin call).',
      ),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Each request to a secret manager.'),
    vault: vaultSchema,
    hashicorp: hashicorpSchema
      .optional()
      .describe('HashiCorp Vault KV v2; enables hcv: references.'),
    aws: awsSchema.optional().describe('AWS Secrets Manager; enables aws: references.'),
    azure: azureSchema.optional().describe('Azure Key Vault; enables azure: references.'),
    gcp: gcpSchema.optional().describe('Google Secret Manager; enables gcp: references.'),
  })
  .strict()
  .prefault({})
  .describe('Where secret references resolve (docs/secrets.md). Values are held in memory only.');

export type SecretsConfig = z.infer<typeof secretsSchema>;
