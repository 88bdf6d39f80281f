import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Tool arguments are screened field by field; a hostile caller sending 40,000 e-mail keys in
 * one arguments string used to pin the event loop for minutes (each rewrite renamed a key in
 * place and serialised the whole text again). Large arguments are now screened as text, and an
 * over-large Anthropic tool input is refused with a typed error.
 */
describe('tool arguments too large to screen field by field', () => {
  let gw: TestGateway;
  let secret: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    secret = (await gw.createKey({ env: 'dev' })).secret;
  });
  afterAll(() => gw?.close());

  const manyEmails = () => {
    const obj: Record<string, number> = {};
    for (let i = 0; i < 40_000; i++) obj[`user${i}@example.com`] = i;
    return obj;
  };

  it('screens 40,000 e-mail keys in one arguments string as text: answered, none sent upstream', async () => {
    const before = gw.mock.received.length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'f', arguments: JSON.stringify(manyEmails()) },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const sent = JSON.stringify(gw.mock.received.slice(before).map((r) => r.body));
    expect(sent).not.toContain('user17@example.com');
  }, 60_000);

  it('refuses an Anthropic tool input of 40,000 keys with invalid_request naming it', async () => {
    const before = gw.mock.received.length;
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': secret,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'tu1', name: 'f', input: manyEmails() }],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'tu1', content: 'ok' }],
          },
        ],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('tool input');
    expect(gw.mock.received.length).toBe(before);
  }, 60_000);
});
