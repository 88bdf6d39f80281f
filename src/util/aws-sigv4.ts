import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to send and sign (host and x-amz-date are added). */
  headers: Readonly<Record<string, string>>;
  body: string | Buffer;
}

/**
 * AWS Signature Version 4 (header form), as documented in "Create a signed AWS API request":
 * canonical request → string to sign → HMAC chain of date, region, service → signature.
 * Returns the headers to send, `authorization` included.
 */
export function signSigV4(
  input: SignInput,
  creds: AwsCredentials,
  scope: { region: string; service: string; nowMs: number },
): Record<string, string> {
  const amzDate = new Date(scope.nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...lowerKeys(input.headers),
    host: input.url.host,
    'x-amz-date': amzDate,
  };
  if (creds.sessionToken !== undefined) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    names.map((n) => `${n}:${collapse(headers[n] as string)}\n`).join(''),
    signedHeaders,
    headers['x-amz-content-sha256'] ?? sha256Hex(input.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  let key = hmac(`AWS4${creds.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Trim, and fold runs of spaces to one, without a backtracking regex. */
function collapse(value: string): string {
  return value
    .trim()
    .split(' ')
    .filter((part) => part !== '')
    .join(' ');
}

/**
 * Every service but S3 wants each path segment URI-encoded twice; `pathname` is already
 * encoded once (a Bedrock model id's `:` is `%3A` there, `%253A` here).
 */
function canonicalPath(pathname: string): string {
  if (pathname === '') return '/';
  return pathname
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Why a received request's SigV4 signature is not valid, in AWS's error names. */
export type SigV4Problem =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

/**
 * Checks a received request's signature the way AWS does: recomputes it over the headers it
 * names, with the secret of the access key it names. `undefined` when it matches.
 */
export function verifySigV4(
  req: {
    method: string;
    url: URL;
    headers: Readonly<Record<string, string | undefined>>;
    body: string | Buffer;
  },
  lookup: (accessKeyId: string) => AwsCredentials | undefined,
  scope: { region: string; service: string },
): SigV4Problem | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined || auth === '') return 'MissingAuthenticationToken';
  const m = AUTHORIZATION.exec(auth);
  const d = AMZ_DATE.exec(req.headers['x-amz-date'] ?? '');
  if (m === null || d === null) return 'IncompleteSignature';
  const [, keyId, day, region, service, signedList] = m as unknown as string[];
  const creds = lookup(keyId as string);
  if (creds === undefined) return 'UnrecognizedClientException';
  if (region !== scope.region || service !== scope.service) return 'InvalidSignatureException';
  const nowMs = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  if (day !== d[0].slice(0, 8)) return 'InvalidSignatureException';
  const names = (signedList as string).split(';');
  if (!names.includes('host')) return 'IncompleteSignature';
  const own = new Set(['host', 'x-amz-date', 'x-amz-security-token']);
  const headers = Object.fromEntries(
    names.filter((n) => !own.has(n)).map((n) => [n, req.headers[n] ?? '']),
  );
  const token = req.headers['x-amz-security-token'];
  const expected = signSigV4(
    { method: req.method, url: req.url, headers, body: req.body },
    { ...creds, sessionToken: names.includes('x-amz-security-token') ? token : undefined },
    { region: scope.region, service: scope.service, nowMs },
  );
  return expected.authorization === auth ? undefined : 'InvalidSignatureException';
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
