import { describe, expect, it } from 'vitest';
import { signSigV4, verifySigV4 } from './aws-sigv4.js';

const signatureOf = (headers: Record<string, string>) =>
  /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];

describe('SigV4', () => {
  it('matches the documented IAM ListUsers example', () => {
    const headers = signSigV4(
      {
        method: 'GET',
        url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      { region: 'us-east-1', service: 'iam', nowMs: Date.UTC(2015, 7, 30, 12, 36, 0) },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('matches the documented S3 GET Object example (extra signed headers)', () => {
    const headers = signSigV4(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: {
          range: 'bytes=0-9',
          'x-amz-content-sha256':
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
        body: '',
      },
      {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      { region: 'us-east-1', service: 's3', nowMs: Date.UTC(2013, 4, 24) },
    );
    expect(signatureOf(headers)).toBe(
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs the session token when there is one', () => {
    const headers = signSigV4(
      {
        method: 'POST',
        url: new URL('https://secretsmanager.eu-west-1.amazonaws.com/'),
        headers: {},
        body: '{}',
      },
      { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
      { region: 'eu-west-1', service: 'secretsmanager', nowMs: 0 },
    );
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });
});

describe('verifySigV4', () => {
  const creds = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', // bastion:allow test canary
  };
  const url = new URL('https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse');
  const body = Buffer.from('{"messages":[]}');
  const scope = { region: 'us-east-1', service: 'bedrock' };
  const signed = signSigV4(
    { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
    creds,
    { ...scope, nowMs: Date.UTC(2026, 0, 2, 3, 4, 5) },
  );
  const lookup = (id: string) => (id === creds.accessKeyId ? creds : undefined);

  it('accepts the request it signed', () => {
    expect(verifySigV4({ method: 'POST', url, headers: signed, body }, lookup, scope)).toBe(
      undefined,
    );
  });

  it('refuses a changed body, a changed signed header, another region and an unknown key', () => {
    const req = { method: 'POST', url, headers: signed, body };
    expect(verifySigV4({ ...req, body: Buffer.from('{}') }, lookup, scope)).toBe(
      'InvalidSignatureException',
    );
    const headers = { ...signed, 'content-type': 'text/plain' };
    expect(verifySigV4({ ...req, headers }, lookup, scope)).toBe('InvalidSignatureException');
    expect(verifySigV4(req, lookup, { ...scope, region: 'eu-west-1' })).toBe(
      'InvalidSignatureException',
    );
    expect(verifySigV4(req, () => undefined, scope)).toBe('UnrecognizedClientException');
    expect(verifySigV4({ ...req, headers: {} }, lookup, scope)).toBe('MissingAuthenticationToken');
  });
});
