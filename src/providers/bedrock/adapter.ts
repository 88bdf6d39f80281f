import { GatewayError } from '../../errors/gateway-error.js';
import type { Secret } from '../../log/secret.js';
import { signSigV4, type AwsCredentials } from '../../util/aws-sigv4.js';
import { mapUpstreamError } from '../core/errors.js';
import { untranslatedTap } from '../gemini/adapter.js';
import type { OutgoingRequest, ProviderAdapter, UpstreamErrorInput } from '../types.js';
import { usageFromBedrock } from './translate.js';

/**
 * AWS Bedrock Runtime (Converse API). Every request is translated and signed with SigV4
 * (service `bedrock`) over its method, path, content type, host, date and body hash. The
 * provider key is `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (`:SESSION_TOKEN` for temporary
 * credentials); the secret never travels, only the signature made with it.
 */
export function createBedrockAdapter(opts: { region: string }): ProviderAdapter {
  return {
    kind: 'bedrock',
    paths: new Map(),
    authHeaders(key: Secret, request: OutgoingRequest) {
      const creds = parseAwsKey(key);
      if (creds === undefined) {
        // Config checks the shape at start; a key swapped in at run time may still be wrong.
        throw new GatewayError('upstream_auth_failed', {
          message: 'The provider key is not an AWS ACCESS_KEY_ID:SECRET_ACCESS_KEY pair.',
        });
      }
      const signed = signSigV4(
        {
          method: 'POST',
          url: request.url,
          headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
          body: request.body,
        },
        creds,
        { region: opts.region, service: 'bedrock', nowMs: request.nowMs },
      );
      // undici sends the host itself, from the origin the signature covers.
      delete signed.host;
      return signed;
    },
    prepareBody() {
      return { json: undefined, isUsageRequestedByCaller: true };
    },
    usageFromJson(_endpoint, json) {
      const u = usageFromBedrock((json as { usage?: unknown } | null)?.usage);
      return { promptTokens: u.inputTokens, completionTokens: u.outputTokens };
    },
    createStreamTap: untranslatedTap,
    mapError: mapAwsError,
  };
}

/** `AKID:SECRET[:TOKEN]` as credentials, or undefined when it is not that shape. */
export function parseAwsKey(key: Secret): AwsCredentials | undefined {
  const parts = key.reveal().split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, secretAccessKey, sessionToken] = parts as [string, string, string?];
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}

/** AWS errors: `{"message": …}` (or `Message`), the exception named by the status. */
export function mapAwsError(input: UpstreamErrorInput): GatewayError {
  let message: string | undefined;
  try {
    const body = JSON.parse(input.bodyText) as { message?: unknown; Message?: unknown };
    const m = body.message ?? body.Message;
    message = typeof m === 'string' ? m : undefined;
  } catch {
    message = undefined;
  }
  // ModelErrorException (424): the model failed, not the request.
  if (input.status === 424) return new GatewayError('upstream_error');
  return mapUpstreamError(input, { message, code: undefined });
}
