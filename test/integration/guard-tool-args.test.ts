import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Tool calls carry the same data as text: arguments the app sends back in its history, tool
 * results, and the arguments the model writes for the app's tools. A credential or personal
 * value must not reach the provider through them, and a pseudonym the provider saw must come
 * back to the app's tool as the real value, streamed or not, through the official SDKs.
 */

/** A GitHub token made up at run time: the repository holds no key-shaped strings. */
function fakeGithubToken(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `ghp_${[...randomBytes(36)].map((b) => abc[b % abc.length]).join('')}`;
}

const EMAIL = 'dana.lee@example.com';
const OTHER_EMAIL = 'sam.ortiz@example.org';
const CHAT_TOOLS = [
  {
    type: 'function' as const,
    function: { name: 'send_mail', parameters: { type: 'object', properties: {} } },
  },
];
const ANTHROPIC_TOOLS = [
  { name: 'send_mail', input_schema: { type: 'object' as const, properties: {} } },
];

describe('guard: tool-call arguments', () => {
  let gw: TestGateway;
  /** Keys per environment: dev (default policy: block), staging (mask), ci (secrets allowed in). */
  const keys: Record<'dev' | 'staging' | 'ci', string> = { dev: '', staging: '', ci: '' };
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        guard: {
          pii: {
            custom: [
              { name: 'ref_code', pattern: 'REF"[0-9]{4}[\\\\][a-z]{2}', action: 'pseudonymise' },
            ],
          },
          output: { holdBackChars: 128 },
          environments: {
            staging: { secrets: { action: 'mask' } },
            ci: { secrets: { action: 'allow' } },
          },
        },
      },
    });
    for (const env of ['dev', 'staging', 'ci'] as const)
      keys[env] = (await gw.createKey({ env })).secret;
  });
  beforeEach(() => {
    gw.mock.reset();
    token = fakeGithubToken();
  });
  afterAll(() => gw.close());

  const openai = (env: keyof typeof keys = 'staging') =>
    new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: keys[env], maxRetries: 0 });
  const anthropic = (env: keyof typeof keys = 'staging') =>
    new Anthropic({ baseURL: gw.url, apiKey: keys[env], maxRetries: 0 });
  const sentUpstream = () => JSON.stringify(gw.mock.received.at(-1)?.body ?? null);

  it('chat: history tool-call arguments and tool results reach the provider screened, as valid JSON', async () => {
    // The email written with a JSON escape, as a caller's serializer may: the same value.
    const args = `{"to":"${EMAIL.replace('@', '\\u0040')}","auth":"${token}","cc":["${OTHER_EMAIL}"]}`;
    await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'mail Dana' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: args } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `sent to ${EMAIL} using ${token}` },
        { role: 'user', content: 'thanks' },
      ],
    });
    const sent = sentUpstream();
    for (const canary of [EMAIL, OTHER_EMAIL, token, 'dana.lee\\\\u0040'])
      expect(sent).not.toContain(canary);
    const body = gw.mock.received.at(-1)?.body as {
      messages: { tool_calls?: { function: { arguments: string } }[] }[];
    };
    const forwarded: unknown = JSON.parse(
      body.messages[1]?.tool_calls?.[0]?.function.arguments ?? '',
    );
    expect(forwarded).toEqual({
      to: '<EMAIL_1>',
      auth: '[REDACTED:github-token]',
      cc: ['<EMAIL_2>'],
    });
  });

  it('a JSON tool result is screened decoded, and stays valid JSON', async () => {
    const result = `{"status":"sent","to":"${EMAIL.replace('@', '\\u0040')}","auth":"${token}"}`;
    await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'mail Dana' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'send_mail', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: result },
      ],
    });
    const body = gw.mock.received.at(-1)?.body as { messages: { content: unknown }[] };
    const forwarded = body.messages[2]?.content as string;
    expect(forwarded).not.toContain('dana.lee');
    expect(JSON.parse(forwarded)).toEqual({
      status: 'sent',
      to: '<EMAIL_1>',
      auth: '[REDACTED:github-token]',
    });
  });

  it('messages: tool_use input (values and keys) and tool results reach the provider screened', async () => {
    await anthropic().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'mail Dana' },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_1',
              name: 'send_mail',
              input: { to: EMAIL, auth: { token }, [OTHER_EMAIL]: true },
            },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `ok ${token}` }],
        },
      ],
    });
    const sent = sentUpstream();
    for (const canary of [EMAIL, OTHER_EMAIL, token]) expect(sent).not.toContain(canary);
    const body = gw.mock.received.at(-1)?.body as { messages: { content: unknown }[] };
    expect((body.messages[1]?.content as { input: unknown }[])[0]?.input).toEqual({
      to: '<EMAIL_1>',
      auth: { token: '[REDACTED:github-token]' },
      '<EMAIL_2>': true,
    });
  });

  it('a value is screened with its key: a name field and a keyword credential in arguments', async () => {
    // Neither value matches a rule alone: the key (`recipient`, `password`) is what marks it.
    const secret = `Zq8vR2mX${randomBytes(6).toString('hex')}kW9sT3nB`;
    const args = JSON.stringify({ recipient: 'Oluwaseun Adebayo-Okafor', password: secret });
    await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'login', arguments: args } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
    });
    const sent = sentUpstream();
    expect(sent).not.toContain(secret);
    expect(sent).not.toContain('Adebayo');
  });

  it('by default a credential in tool-use input is refused before any upstream call', async () => {
    const res = await post(
      `${gw.url}/v1/messages`,
      {
        model: 'claude-haiku-4-5',
        max_tokens: 50,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_1', name: 'fetch', input: { key: token } }],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }],
          },
        ],
      },
      { 'x-api-key': keys.dev, 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(400);
    const raw = await res.text();
    expect(raw).toContain('secret_in_prompt');
    expect(raw).toContain('messages[1].content[0].input.key');
    expect(raw).not.toContain(token);
    expect(gw.mock.received).toHaveLength(0);
  });

  it.each([false, true])(
    'chat (stream: %s): the tool gets the real value the provider only saw as a pseudonym',
    async (stream) => {
      gw.mock.enqueueFault({ chunkSize: 3 });
      const request = {
        model: 'gpt-4o-mini',
        tools: CHAT_TOOLS,
        messages: [{ role: 'user' as const, content: `please mail ${EMAIL} today` }],
      };
      let args: string;
      if (stream) {
        const s = openai().chat.completions.stream({ ...request, stream: true });
        const done = await s.finalChatCompletion();
        args =
          done.choices[0]?.message.tool_calls?.[0]?.type === 'function'
            ? done.choices[0].message.tool_calls[0].function.arguments
            : '';
      } else {
        const done = await openai().chat.completions.create(request);
        const call = done.choices[0]?.message.tool_calls?.[0];
        args = call?.type === 'function' ? call.function.arguments : '';
      }
      expect(sentUpstream()).toContain('please mail <EMAIL_1> today');
      expect(JSON.parse(args)).toEqual({ input: `please mail ${EMAIL} today` });
    },
  );

  it.each([false, true])(
    'messages (stream: %s): the tool gets the real value the provider only saw as a pseudonym',
    async (stream) => {
      gw.mock.enqueueFault({ chunkSize: 3 });
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        tools: ANTHROPIC_TOOLS,
        messages: [{ role: 'user' as const, content: `please mail ${EMAIL} today` }],
      };
      const message = stream
        ? await anthropic().messages.stream(request).finalMessage()
        : await anthropic().messages.create(request);
      const block = message.content.find((b) => b.type === 'tool_use');
      expect(sentUpstream()).toContain('please mail <EMAIL_1> today');
      expect(block?.type === 'tool_use' ? block.input : undefined).toEqual({
        input: `please mail ${EMAIL} today`,
      });
    },
  );

  it.each([false, true])(
    'a credential the model writes into tool-call arguments is redacted (stream: %s)',
    async (stream) => {
      // Input secrets allowed (ci): the provider gets the token and puts it in the arguments.
      gw.mock.enqueueFault({ chunkSize: 5 });
      const chat = await post(
        `${gw.url}/v1/chat/completions`,
        {
          model: 'gpt-4o-mini',
          stream,
          tools: CHAT_TOOLS,
          messages: [{ role: 'user', content: `use ${token}` }],
        },
        { authorization: `Bearer ${keys.ci}` },
      );
      expect(sentUpstream()).toContain(token);
      const raw = await chat.text();
      expect(raw).not.toContain(token.slice(4, 20));
      expect(raw).toMatch(/REDACTED:(github-token|credential)/);
      gw.mock.enqueueFault({ chunkSize: 5 });
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        tools: ANTHROPIC_TOOLS,
        messages: [{ role: 'user' as const, content: `use ${token}` }],
      };
      const msg = stream
        ? await anthropic('ci').messages.stream(request).finalMessage()
        : await anthropic('ci').messages.create(request);
      expect(JSON.stringify(msg)).not.toContain(token.slice(4, 20));
      const block = msg.content.find((b) => b.type === 'tool_use');
      expect(JSON.stringify(block?.type === 'tool_use' ? block.input : null)).toMatch(
        /^\{"input":"use \[REDACTED:(github-token|credential)\]"\}$/,
      );
    },
  );

  it.each([false, true])(
    'a restored value holding a quote and a backslash stays valid JSON (stream: %s)',
    async (stream) => {
      // The custom type's values hold `"` and `\`: restored into JSON text, they are escaped.
      const value = 'REF"1234\\ab';
      const content = `file ${value} and ${EMAIL}`;
      gw.mock.enqueueFault({ chunkSize: 2 });
      const request = {
        model: 'gpt-4o-mini',
        tools: CHAT_TOOLS,
        messages: [{ role: 'user' as const, content }],
      };
      let args = '';
      if (stream) {
        const s = openai().chat.completions.stream({ ...request, stream: true });
        const call = (await s.finalChatCompletion()).choices[0]?.message.tool_calls?.[0];
        args = call?.type === 'function' ? call.function.arguments : '';
      } else {
        const call = (await openai().chat.completions.create(request)).choices[0]?.message
          .tool_calls?.[0];
        args = call?.type === 'function' ? call.function.arguments : '';
      }
      expect(sentUpstream()).toContain('file <REF_CODE_1> and <EMAIL_1>');
      expect(JSON.parse(args)).toEqual({ input: content });
    },
  );
});
