import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../log/secret.js';
import { createHttpModerator, parseModerationReply } from './moderation.js';

let server: Server;
let url = '';
let reply: (input: string) => { status: number; body: string };
const seen: { input: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const { input } = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string };
      seen.push({ input, auth: req.headers.authorization });
      const r = reply(input);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
beforeEach(() => {
  seen.length = 0;
  reply = () => ({ status: 200, body: '{"flagged":false}' });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('parseModerationReply', () => {
  it('reads the own shape, categories as a list or a map, names sanitised', () => {
    expect(
      parseModerationReply({ flagged: true, score: 0.9, categories: ['b', 'a', 'x y'] }),
    ).toEqual({ flagged: true, score: 0.9, categories: ['a', 'b'] });
    expect(
      parseModerationReply({ flagged: true, categories: { hate: true, self: false } }),
    ).toEqual({ flagged: true, categories: ['hate'] });
  });

  it('reads the OpenAI shape: flagged if any result is, the highest score, true categories', () => {
    expect(
      parseModerationReply({
        id: 'modr-1',
        results: [
          {
            flagged: true,
            categories: { violence: true, 'self-harm/intent': true, sexual: false },
            category_scores: { violence: 0.8, 'self-harm/intent': 0.6, sexual: 0.1 },
          },
        ],
      }),
    ).toEqual({ flagged: true, score: 0.8, categories: ['self-harm/intent', 'violence'] });
  });

  it('refuses anything else', () => {
    expect(() => parseModerationReply({ nope: 1 })).toThrow();
    expect(() => parseModerationReply({ results: [] })).toThrow();
    expect(() => parseModerationReply({ flagged: 'yes' })).toThrow();
  });
});

describe('createHttpModerator', () => {
  const signal = new AbortController().signal;
  const headers = { authorization: new Secret('Bearer t0k') };

  it('posts {input} with the headers and returns the verdict', async () => {
    reply = () => ({ status: 200, body: '{"flagged":true,"score":0.7}' });
    const m = createHttpModerator({ url, timeoutMs: 2000, headers });
    await expect(m.moderate('hello', signal)).resolves.toEqual({
      flagged: true,
      score: 0.7,
      categories: [],
    });
    expect(seen).toEqual([{ input: 'hello', auth: 'Bearer t0k' }]);
  });

  it('sends a text over 64 Ki characters in pieces, stopping at the first flagged one', async () => {
    reply = (input) => ({ status: 200, body: JSON.stringify({ flagged: input.includes('bad') }) });
    const m = createHttpModerator({ url, timeoutMs: 2000, headers: {} });
    const text = `${'a'.repeat(64 * 1024)}bad${'c'.repeat(64 * 1024)}`;
    await expect(m.moderate(text, signal)).resolves.toMatchObject({ flagged: true });
    expect(seen.map((s) => s.input.length)).toEqual([64 * 1024, 64 * 1024]);
    expect(seen.map((s) => s.input).join('')).toBe(text.slice(0, 128 * 1024));
  });

  it('rejects on a 500, a reply over 16 KiB or a reply that is not JSON, never naming the text', async () => {
    const m = createHttpModerator({ url, timeoutMs: 2000, headers: {} });
    for (const r of [
      { status: 500, body: '{}' },
      { status: 200, body: JSON.stringify({ flagged: false, pad: 'x'.repeat(17 * 1024) }) },
      { status: 200, body: 'not json' },
    ]) {
      reply = () => r;
      const err = await m.moderate('secret-text', signal).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).not.toContain('secret-text');
    }
  });
});
