import { signSigV4 } from '../../../src/util/aws-sigv4.js';
import { startFakeServer, type FakeServer, type SeenRequest } from './server.js';

/**
 * AWS Secrets Manager, the documented subset: `POST /` with
 * `X-Amz-Target: secretsmanager.GetSecretValue` and a SigV4 `Authorization` header, answering
 * `{ ARN, Name, VersionId, SecretString, VersionStages, CreatedDate }` or an error
 * `{ "__type": "ResourceNotFoundException" | "UnrecognizedClientException" | "InvalidSignatureException", "message" }` (HTTP 400).
 */
export interface FakeAws extends FakeServer {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Adds a new AWSCURRENT version of a secret. */
  put(name: string, value: string): void;
  arnOf(name: string): string;
}

const ACCOUNT = '123456789012';

export async function startFakeAws(region = 'eu-west-1'): Promise<FakeAws> {
  const creds = {
    accessKeyId: 'AKIAFAKEBASTION00001',
    secretAccessKey: 'fake/secret+access/key0123456789abcdefABCD',
  };
  const secrets = new Map<string, { value: string; version: string }>();
  const arnOf = (name: string) =>
    `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const fail = (type: string) => ({
    status: 400,
    body: { __type: type, message: `${type} (fake)` },
  });
  let serverUrl = '';

  const server = await startFakeServer((req) => {
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
      return fail('InvalidAction');
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
      return fail('InvalidRequestException');
    const authProblem = checkSignature(req, creds, region, serverUrl);
    if (authProblem !== undefined) return fail(authProblem);
    const { SecretId } = JSON.parse(req.body) as { SecretId?: string };
    const name = [...secrets.keys()].find((n) => n === SecretId || arnOf(n) === SecretId);
    const entry = name === undefined ? undefined : secrets.get(name);
    if (name === undefined || entry === undefined) return fail('ResourceNotFoundException');
    return {
      status: 200,
      body: {
        ARN: arnOf(name),
        Name: name,
        VersionId: entry.version,
        SecretString: entry.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1767225600,
      },
    };
  });
  serverUrl = server.url;
  let n = 0;
  return {
    ...server,
    region,
    ...creds,
    arnOf,
    put(name, value) {
      n += 1;
      secrets.set(name, {
        value,
        version: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      });
    },
  };
}

function checkSignature(
  req: SeenRequest,
  creds: { accessKeyId: string; secretAccessKey: string },
  region: string,
  url: string,
): string | undefined {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/secretsmanager\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (m === null) return 'IncompleteSignature';
  if (m[1] !== creds.accessKeyId) return 'UnrecognizedClientException';
  if (m[3] !== region) return 'InvalidSignatureException';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (d === null) return 'IncompleteSignature';
  const nowMs = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  const signed = (m[4] as string)
    .split(';')
    .filter((h) => h !== 'host' && h !== 'x-amz-date' && h !== 'x-amz-security-token');
  const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]));
  const expected = signSigV4(
    { method: req.method, url: new URL(req.path, url), headers, body: req.body },
    { ...creds, sessionToken: req.headers['x-amz-security-token'] as string | undefined },
    { region, service: 'secretsmanager', nowMs },
  );
  return expected.authorization === auth ? undefined : 'InvalidSignatureException';
}
