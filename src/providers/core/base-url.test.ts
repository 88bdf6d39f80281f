import { describe, expect, it } from 'vitest';
import { basePathOf, baseUrlProblem, joinEndpointPath } from './base-url.js';

const join = (base: string, endpoint = '/v1/chat/completions') =>
  joinEndpointPath(basePathOf(base), endpoint);

describe('provider baseUrl keeps its path', () => {
  it.each([
    ['https://api.openai.com', '/v1/chat/completions'],
    ['https://api.openai.com/', '/v1/chat/completions'],
    ['https://api.openai.com/v1', '/v1/chat/completions'],
    ['https://api.groq.com/openai', '/openai/v1/chat/completions'],
    ['https://api.groq.com/openai/v1', '/openai/v1/chat/completions'],
    ['https://openrouter.ai/api/v1/', '/api/v1/chat/completions'],
    ['https://api.fireworks.ai/inference', '/inference/v1/chat/completions'],
    ['https://generativelanguage.googleapis.com/v1beta/openai/', '/v1beta/openai/chat/completions'],
  ])('%s sends chat completions to %s', (base, path) => {
    expect(join(base)).toBe(path);
  });

  it.each([
    ['https://generativelanguage.googleapis.com', '/v1beta/models/m:generateContent'],
    ['https://generativelanguage.googleapis.com/', '/v1beta/models/m:generateContent'],
    ['https://generativelanguage.googleapis.com/v1beta', '/v1beta/models/m:generateContent'],
    ['https://generativelanguage.googleapis.com/v1beta/', '/v1beta/models/m:generateContent'],
    ['https://gw.example/google', '/google/v1beta/models/m:generateContent'],
    ['https://gw.example/google/v1beta', '/google/v1beta/models/m:generateContent'],
  ])('Gemini: %s sends generateContent to %s (never /v1beta/v1beta)', (base, path) => {
    expect(join(base, '/v1beta/models/m:generateContent')).toBe(path);
  });

  it('joins Anthropic messages the same way', () => {
    expect(join('https://api.anthropic.com', '/v1/messages')).toBe('/v1/messages');
    expect(join('https://proxy.example/anthropic', '/v1/messages')).toBe('/anthropic/v1/messages');
  });

  it('refuses a query, a fragment or credentials, and accepts a plain path', () => {
    expect(baseUrlProblem('https://x.example/openai?api-version=1')).toMatch(/query/);
    expect(baseUrlProblem('https://x.example/openai?')).toMatch(/query/);
    expect(baseUrlProblem('https://x.example/openai#v1')).toMatch(/fragment/);
    expect(baseUrlProblem('https://u:p@x.example/')).toMatch(/credentials/);
    expect(baseUrlProblem('https://api.groq.com/openai')).toBeUndefined();
  });
});
