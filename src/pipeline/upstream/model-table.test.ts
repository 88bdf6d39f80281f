import { describe, expect, it } from 'vitest';
import { createModelTable } from './model-table.js';
import type { ModelRoute, ProviderRuntime } from './providers.js';
import type { TimeoutSettings } from './timeouts.js';

const timeouts = {} as TimeoutSettings;
const provider = (id: string) => ({ id }) as ProviderRuntime;
const route = (model: string, p: ProviderRuntime): ModelRoute => ({
  model,
  provider: p,
  upstreamModel: undefined,
  timeouts,
  fallbacks: [],
});

describe('model table', () => {
  const openai = provider('openai');
  const mini = provider('mini-host');
  const anthropic = provider('anthropic');
  const table = createModelTable(
    new Map([['gpt-4o-mini', route('gpt-4o-mini', openai)]]),
    [
      { pattern: 'gpt-*', provider: openai, timeouts, fallbacks: [] },
      { pattern: 'gpt-4o-*', provider: mini, timeouts, fallbacks: [] },
    ],
    [{ kind: 'anthropic', provider: anthropic, timeouts }],
  );

  it('prefers the exact name, then the longest pattern, then pass-through by dialect', () => {
    expect(table.resolve('gpt-4o-mini', 'chat_completions')?.provider.id).toBe('openai');
    expect(table.resolve('gpt-4o-audio', 'chat_completions')?.provider.id).toBe('mini-host');
    expect(table.resolve('gpt-4.1', 'responses')?.provider.id).toBe('openai');
    expect(table.resolve('claude-opus-4-1', 'messages')?.provider.id).toBe('anthropic');
    expect(table.resolve('claude-opus-4-1', 'chat_completions')).toBeUndefined();
  });

  it('keeps the caller name as the model and sends it upstream unchanged', () => {
    expect(table.resolve('gpt-4.1', 'chat_completions')).toMatchObject({
      model: 'gpt-4.1',
      upstreamModel: undefined,
    });
  });

  it('labels names by their entry, bounded whatever the caller invents', () => {
    const labels = new Set(
      ['gpt-4o-mini', 'gpt-x1', 'gpt-x2', 'gpt-4o-y', 'claude-z'].map((n) => table.labelOf(n)),
    );
    expect([...labels]).toEqual(['gpt-4o-mini', 'gpt-*', 'gpt-4o-*', 'passthrough']);
  });

  it('answers the same after many invented names fill its cache', () => {
    for (let i = 0; i < 5_000; i++) table.resolve(`unknown-${i}`, 'chat_completions');
    expect(table.resolve('gpt-5', 'chat_completions')?.provider.id).toBe('openai');
    expect(table.resolve('unknown-4999', 'chat_completions')).toBeUndefined();
  });
});
