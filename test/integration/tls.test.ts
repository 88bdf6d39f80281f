import Anthropic from '@anthropic-ai/sdk';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import OpenAI from 'openai';
import { Agent, Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** A test CA, two server certificates it signed (before and after a swap) and a client one. */
function makePki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const selfSigned = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    );
  selfSigned('ca');
  // A client certificate from a CA the gateway does not trust.
  selfSigned('rogue');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server-a', 'server-b', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      `${name}.crt`,
      ...(name === 'client' ? [] : ['-extfile', 'san.ext']),
    );
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), read };
}

/** The certificate a new TLS connection to `url` is served. */
function servedCertificate(url: string, ca: string): Promise<PeerCertificate> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca, servername: 'localhost' });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('native TLS on the data and control planes', () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let gw: TestGateway;
  let apiKey: string;
  const ADMIN_TOKEN = 'admin-token-tls-test-3f9a1c7e5b2d4f6a8c0e'; // bastion:allow test canary

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-tls-'));
    pki = makePki(dir);
    for (const f of ['crt', 'key'])
      writeFileSync(join(dir, `live.${f}`), pki.read(`server-a.${f}`));
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      config: {
        server: {
          port: 0,
          host: '127.0.0.1',
          tls: { cert: `file:${join(dir, 'live.crt')}`, key: `file:${join(dir, 'live.key')}` },
        },
        controlPlane: {
          port: 0,
          tls: {
            cert: `file:${join(dir, 'live.crt')}`,
            key: `file:${join(dir, 'live.key')}`,
            clientCa: `file:${join(dir, 'ca.crt')}`,
          },
        },
      },
    });
    apiKey = (await gw.createKey()).secret;
  });
  afterAll(async () => {
    await gw.close();
    // The private keys never reach a log line.
    const logs = gw.logs.join('');
    expect(logs).not.toContain('PRIVATE KEY');
    expect(logs).not.toContain(ADMIN_TOKEN);
  });

  it('serves https and the official SDKs reach it with the test CA', async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: pki.ca } });
    // The SDK types fetch options with Node's bundled undici; the npm one's Agent works alike.
    const fetchOptions = { dispatcher } as unknown as NonNullable<
      ConstructorParameters<typeof OpenAI>[0]
    >['fetchOptions'];
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, fetchOptions });
    const chat = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'over tls' }],
    });
    expect(chat.choices[0]?.message.content).toContain('over tls');
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey, fetchOptions: { dispatcher } });
    const msg = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'anthropic over tls' }],
    });
    expect(msg.content[0]).toMatchObject({ type: 'text' });
    await dispatcher.close();
  });

  it('refuses a client that does not trust the CA', async () => {
    await expect(fetch(`${gw.url}/v1/models`)).rejects.toThrow();
  });

  it('requires a client certificate for the admin API, not for health', async () => {
    const controlUrl = gw.controlUrl ?? '';
    expect(controlUrl).toMatch(/^https:/);
    const anonymous = new Agent({ connect: { ca: pki.ca } });
    // Health first: its TLS session is what an anonymous client would then try to resume.
    const health = await request(`${controlUrl}/healthz`, { dispatcher: anonymous });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const refused = await request(`${controlUrl}/admin/keys`, {
      dispatcher: anonymous,
      headers: auth,
    });
    expect(refused.statusCode).toBe(401);
    expect(await refused.body.json()).toMatchObject({
      error: { code: 'admin_client_certificate_required' },
    });
    // A certificate from another CA is no better than none.
    const rogue = new Agent({
      connect: { ca: pki.ca, cert: pki.read('rogue.crt'), key: pki.read('rogue.key') },
    });
    const other = await request(`${controlUrl}/admin/keys`, { dispatcher: rogue, headers: auth });
    expect(other.statusCode).toBe(401);
    await other.body.dump();
    const client = new Agent({
      connect: { ca: pki.ca, cert: pki.read('client.crt'), key: pki.read('client.key') },
    });
    const allowed = await request(`${controlUrl}/admin/keys`, {
      dispatcher: client,
      headers: auth,
    });
    expect(allowed.statusCode).toBe(200);
    await allowed.body.dump();
    await Promise.all([anonymous.close(), rogue.close(), client.close()]);
  });

  it('serves a certificate swapped on disk after a reload, keeping open connections', async () => {
    const before = await servedCertificate(gw.url, pki.ca);
    expect(before.subject.CN).toBe('server-a');
    const held = new Client(gw.url, { connect: { ca: pki.ca } });
    const headers = { authorization: `Bearer ${apiKey}` };
    const first = await held.request({ method: 'GET', path: '/v1/models', headers });
    expect(first.statusCode).toBe(200);
    await first.body.dump();

    for (const f of ['crt', 'key'])
      writeFileSync(join(dir, `live.${f}`), pki.read(`server-b.${f}`));
    const report = await gw.app.secrets.reload();
    expect(report.failed).toStrictEqual([]);
    expect((await servedCertificate(gw.url, pki.ca)).subject.CN).toBe('server-b');
    // The connection opened under the old certificate is still served.
    const again = await held.request({ method: 'GET', path: '/v1/models', headers });
    expect(again.statusCode).toBe(200);
    await again.body.dump();
    await held.close();
    expect(gw.logs.join('')).toContain('"event":"tls_reloaded"');
  });

  it('keeps the old certificate when the new one does not parse', async () => {
    writeFileSync(join(dir, 'live.crt'), 'not a certificate\n');
    await gw.app.secrets.reload();
    expect(gw.logs.join('')).toContain('"event":"tls_reload_failed"');
    expect((await servedCertificate(gw.url, pki.ca)).subject.CN).toBe('server-b');
  });
});
