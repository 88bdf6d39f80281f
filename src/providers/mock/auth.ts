import { verifySigV4, type AwsCredentials } from '../../util/aws-sigv4.js';
import type { MockDialect, MockError } from './errors.js';

/** What the auth check sees of a request. */
export interface AuthInput {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: Record<string, string>;
  query: URLSearchParams;
  rawBody: Buffer;
}

/** The mock's accepted credentials; unset means any well-formed credential is accepted. */
export interface MockCredentials {
  apiKeys: ReadonlySet<string> | undefined;
  /** Bedrock: the AWS keys whose SigV4 signatures are checked, and the region they sign for. */
  aws: { region: string; credentials: readonly AwsCredentials[] } | undefined;
}

const BEARER = /^Bearer\s+(.+)$/i;
const AWS_CREDENTIAL = /Credential=([^/,\s]+)\//;

/** The API key a request carried, where its dialect puts it. */
export function presentedKey(
  headers: Record<string, string>,
  dialect: MockDialect,
  query?: URLSearchParams,
): string | undefined {
  switch (dialect) {
    case 'anthropic':
      return headers['x-api-key'] || undefined;
    case 'azure':
      return (
        headers['api-key'] || BEARER.exec(headers['authorization'] ?? '')?.[1]?.trim() || undefined
      );
    case 'gemini':
      return headers['x-goog-api-key'] || query?.get('key') || undefined;
    case 'bedrock':
      // SigV4 never sends the secret: the access key id is what the request shows.
      return AWS_CREDENTIAL.exec(headers['authorization'] ?? '')?.[1] || undefined;
    case 'openai':
      return BEARER.exec(headers['authorization'] ?? '')?.[1]?.trim() || undefined;
  }
}

const DIALECTS: readonly MockDialect[] = ['openai', 'anthropic', 'azure', 'gemini', 'bedrock'];

/** Any key a request carried, for `echoKey` (which may be set on any path). */
export function anyPresentedKey(
  headers: Record<string, string>,
  dialect: MockDialect,
  query?: URLSearchParams,
): string {
  for (const d of [dialect, ...DIALECTS]) {
    const key = presentedKey(headers, d, query);
    if (key !== undefined) return key;
  }
  return '';
}

/** How real providers mask a key they echo: a few characters at each end. */
function maskKey(key: string): string {
  return key.length <= 12 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

const AZURE_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** The error a provider sends for a missing or (with credentials set) unknown key. */
export function checkAuth(
  req: AuthInput,
  dialect: MockDialect,
  creds: MockCredentials,
): MockError | undefined {
  if (dialect === 'bedrock') return checkSigV4(req, creds.aws);
  const key = presentedKey(req.headers, dialect, req.query);
  const isKnown = key !== undefined && (creds.apiKeys === undefined || creds.apiKeys.has(key));
  if (isKnown) return undefined;
  switch (dialect) {
    case 'anthropic':
      return {
        status: 401,
        message: key === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
      };
    case 'azure':
      return { status: 401, message: AZURE_DENIED, code: '401' };
    case 'gemini':
      return key === undefined
        ? {
            status: 403,
            message:
              "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          }
        : {
            status: 400,
            message: 'API key not valid. Please pass a valid API key.',
            reason: 'API_KEY_INVALID',
          };
    case 'openai':
      return key === undefined
        ? {
            status: 401,
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code: null,
          }
        : { status: 401, message: `Incorrect API key provided: ${maskKey(key)}.` };
  }
}

const SIGV4_MESSAGES = {
  MissingAuthenticationToken: 'Missing Authentication Token',
  IncompleteSignature: 'Authorization header requires a Credential, SignedHeaders and Signature.',
  UnrecognizedClientException: 'The security token included in the request is invalid.',
  InvalidSignatureException:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
} as const;

/**
 * Bedrock: the request must carry a SigV4 signature (service `bedrock`). With credentials
 * configured it must verify against one of them, over the method, path, query, the signed
 * headers and the body's hash; without, only its shape is checked.
 */
function checkSigV4(req: AuthInput, aws: MockCredentials['aws']): MockError | undefined {
  const url = new URL(req.path, `http://${req.headers.host ?? 'localhost'}`);
  const known = aws?.credentials;
  const lookup = (id: string): AwsCredentials | undefined =>
    known === undefined ? undefined : known.find((c) => c.accessKeyId === id);
  const problem = verifySigV4(
    { method: req.method, url, headers: req.headers, body: req.rawBody },
    lookup,
    { region: aws?.region ?? regionOf(req.headers), service: 'bedrock' },
  );
  // Without known credentials, a well-formed signature for an unknown key is accepted.
  if (problem === undefined || (known === undefined && problem === 'UnrecognizedClientException')) {
    return undefined;
  }
  const code =
    problem === 'MissingAuthenticationToken' ? 'MissingAuthenticationTokenException' : problem;
  return { status: 403, message: SIGV4_MESSAGES[problem], code };
}

/** The region a signature names, used when the mock was given none. */
function regionOf(headers: Record<string, string>): string {
  return (
    /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headers['authorization'] ?? '')?.[1] ?? 'us-east-1'
  );
}

/** The message an `echoKey` fault sends: the whole key, so the gateway's scrubber must act. */
export function echoKeyMessage(
  key: string,
  dialect: MockDialect,
  base: string | undefined,
): string {
  if (base !== undefined) return `${base} (API key: ${key})`;
  switch (dialect) {
    case 'anthropic':
      return `invalid x-api-key: ${key}`;
    case 'gemini':
      return `API key not valid: ${key}. Please pass a valid API key.`;
    case 'bedrock':
      return `The security token included in the request is invalid: ${key}`;
    case 'azure':
      return `Access denied due to invalid subscription key ${key}.`;
    case 'openai':
      return `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  }
}
