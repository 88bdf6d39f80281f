import { z } from 'zod';
import { Secret } from '../log/secret.js';
import { systemClock, type Clock } from '../util/clock.js';
import { signSigV4 } from '../util/aws-sigv4.js';
import type { SecretsConfig } from './config-schema.js';
import { secretError } from './errors.js';
import { createSecretHttp, statusError, type SecretHttp } from './http.js';
import { pickField } from './pick-field.js';
import type { SourceKit } from './resolver.js';
import type { RefOf, SecretSource } from './types.js';

type AwsConfig = NonNullable<SecretsConfig['aws']>;

const COMPONENT = 'secrets:aws';

const valueReply = z.object({
  VersionId: z.string().optional(),
  SecretString: z.string().optional(),
  SecretBinary: z.string().optional(),
});

const errorReply = z.object({ __type: z.string() });

/** Error types that mean "these credentials are not accepted here" (AWS common errors). */
const AUTH_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
]);

const ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/;

/**
 * `aws:<name-or-arn>[#jsonField]`: AWS Secrets Manager `GetSecretValue` (AWSCURRENT) over its
 * documented JSON protocol (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`, SigV4).
 * Our own signer instead of the SDK: one call needs ~70 lines of node:crypto, while the SDK
 * brings dozens of packages into a security gateway; the signer is pinned to AWS's examples.
 */
export function createAwsSource(
  deps: { kit: SourceKit; clock?: Clock; http?: SecretHttp },
  opts: AwsConfig & { timeoutMs: number },
): SecretSource<'aws'> {
  const clock = deps.clock ?? systemClock;
  const http = deps.http ?? createSecretHttp({ timeoutMs: opts.timeoutMs });

  async function credentials() {
    const read = async (ref: string) => (await deps.kit.readCredential(ref, COMPONENT)).reveal();
    return {
      accessKeyId: await read(opts.accessKeyId),
      secretAccessKey: await read(opts.secretAccessKey),
      sessionToken: opts.sessionToken === undefined ? undefined : await read(opts.sessionToken),
    };
  }

  function regionOf(ref: RefOf<'aws'>): string {
    const region = ARN_REGION.exec(ref.secretId)?.[1] ?? opts.region;
    if (region === undefined)
      throw secretError(
        'secret_unavailable',
        ref.raw,
        'no AWS region: set secrets.aws.region or use an ARN',
      );
    return region;
  }

  return {
    scheme: 'aws',
    async resolve(ref) {
      const region = regionOf(ref);
      const url = new URL(opts.endpoint ?? `https://secretsmanager.${region}.amazonaws.com/`);
      const body = JSON.stringify({ SecretId: ref.secretId });
      const headers = signSigV4(
        {
          method: 'POST',
          url,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'secretsmanager.GetSecretValue',
          },
          body,
        },
        await credentials(),
        { region, service: 'secretsmanager', nowMs: clock.now() },
      );
      const reply = await http.send(ref.raw, { method: 'POST', url: url.href, headers, body });
      if (reply.status !== 200) throw replyError(ref.raw, reply.status, reply.json);
      const parsed = valueReply.safeParse(reply.json);
      if (!parsed.success)
        throw secretError(
          'secret_unavailable',
          ref.raw,
          'Secrets Manager sent an unreadable reply',
        );
      return { secret: new Secret(valueOf(ref, parsed.data)), version: parsed.data.VersionId };
    },
    close: () => http.close(),
  };
}

function valueOf(ref: RefOf<'aws'>, reply: z.infer<typeof valueReply>): string {
  const text =
    reply.SecretString ??
    (reply.SecretBinary === undefined
      ? undefined
      : Buffer.from(reply.SecretBinary, 'base64').toString('utf8'));
  if (text === undefined || text === '')
    throw secretError('secret_not_found', ref.raw, 'the secret has no value');
  if (ref.field === undefined) return text;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw secretError(
      'secret_not_found',
      ref.raw,
      'the secret is not a JSON object, so #field cannot apply',
    );
  return pickField(ref.raw, doc as Record<string, unknown>, ref.field);
}

/** AWS errors are `{ "__type": "[namespace#]Name", "message": ... }`; the type name is not secret. */
function replyError(ref: string, status: number, json: unknown) {
  const parsed = errorReply.safeParse(json);
  const type = parsed.success ? (parsed.data.__type.split('#').pop() ?? '') : '';
  if (type === 'ResourceNotFoundException')
    return secretError(
      'secret_not_found',
      ref,
      'Secrets Manager has no such secret (ResourceNotFoundException)',
    );
  if (AUTH_ERRORS.has(type))
    return secretError(
      'secret_auth_failed',
      ref,
      `Secrets Manager refused the gateway's credentials (${type}); check the IAM policy and keys`,
    );
  if (type !== '')
    return secretError(
      'secret_unavailable',
      ref,
      `Secrets Manager answered ${type} (HTTP ${status})`,
    );
  return statusError(ref, 'Secrets Manager', status);
}
