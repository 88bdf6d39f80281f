import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpModerator, parseModerationReply } from './moderation.js';

let server: Server;
let url = '';
let reply: { status: number; body: string } = { status: 200, body: '{"flagged":false}' };
let seen: unknown;

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen = JSON.parse(Buffer.concat(parts).toString('utf8'));
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('parseModerationReply', () => {
  it('reads the own shape and the OpenAI shape', () => {
    expect(parseModerationReply({ flagged: true, score: 0.9, categories: ['x'] })).toEqual({
      flagged: true,
      score: 0.9,
      categories: ['x'],
    });
    expect(parseModerationReply({ results: [{ flagged: true }] })).toEqual({ flagged: true });
    expect(() => parseModerationReply({ nope: 1 })).toThrow();
  });
});

describe('createHttpModerator', () => {
  const signal = new AbortController().signal;
  it('posts {input} and returns the verdict', async () => {
    reply = { status: 200, body: '{"flagged":true,"score":0.7}' };
    const m = createHttpModerator({ url, timeoutMs: 2000 });
    await expect(m.moderate('hello', signal)).resolves.toEqual({ flagged: true, score: 0.7 });
    expect(seen).toEqual({ input: 'hello' });
  });
  it('rejects on a 500 without the text in the error', async () => {
    reply = { status: 500, body: '{}' };
    const m = createHttpModerator({ url, timeoutMs: 2000 });
    await expect(m.moderate('secret-text', signal)).rejects.toThrow(/^moderation status 500$/);
  });
});
