import { describe, expect, it } from 'vitest';
import { costMicroUsd, createPriceTable, usdToMicro } from './prices.js';

describe('price table', () => {
  it('prices known models, dated snapshots and aliases, and lets config override', () => {
    const table = createPriceTable({
      models: {
        'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
        local: { inputUsdPerMTok: 0, outputUsdPerMTok: 0 },
      },
    });
    expect(table.priceOf('gpt-4o-mini')).toEqual({
      inputUsdPerMTok: 1,
      outputUsdPerMTok: 2,
      maxOutputTokens: 16_384,
    });
    expect(table.priceOf('claude-haiku-4-5-20251001')?.outputUsdPerMTok).toBe(5);
    expect(table.priceOf('gpt-4o-2024-08-06')?.inputUsdPerMTok).toBe(2.5);
    expect(table.priceOf('fast', 'gpt-4o')?.inputUsdPerMTok).toBe(2.5);
    expect(table.priceOf('local')?.maxOutputTokens).toBeUndefined();
    expect(table.priceOf('mystery-model')).toBeUndefined();
  });

  it('prices Bedrock model ids and inference profiles at their family, Gemini by name', () => {
    const table = createPriceTable({ models: {} });
    expect(table.priceOf('claude-bedrock', 'anthropic.claude-3-haiku-20240307-v1:0')).toEqual({
      inputUsdPerMTok: 0.25,
      outputUsdPerMTok: 1.25,
      maxOutputTokens: 4_096,
    });
    expect(
      table.priceOf('sonnet', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')?.outputUsdPerMTok,
    ).toBe(15);
    expect(table.priceOf('nova', 'amazon.nova-pro-v1:0')?.inputUsdPerMTok).toBe(0.8);
    expect(table.priceOf('gemini-2.5-flash')?.outputUsdPerMTok).toBe(2.5);
    // An Azure deployment has its owner's name: priced by the gateway's model name, or config.
    expect(table.priceOf('gpt-4o', 'prod-gpt4o-deployment')?.inputUsdPerMTok).toBe(2.5);
    expect(table.priceOf('azure-gpt', 'prod-gpt4o-deployment')).toBeUndefined();
    expect(table.priceOf('x', 'anthropic.unknown-model-v1:0')).toBeUndefined();
  });

  it('computes integer micro-dollars, rounded up, never a spurious extra micro-dollar', () => {
    const p = { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, maxOutputTokens: undefined };
    expect(costMicroUsd(p, 1_000, 1_000)).toBe(750);
    expect(costMicroUsd(p, 1, 0)).toBe(1);
    expect(costMicroUsd({ ...p, inputUsdPerMTok: 0.1 }, 3, 0)).toBe(1);
    expect(costMicroUsd({ ...p, inputUsdPerMTok: 0.1 }, 30, 0)).toBe(3);
    expect(costMicroUsd(p, 0, 0)).toBe(0);
    expect(usdToMicro(5)).toBe(5_000_000);
    expect(usdToMicro(0.000001)).toBe(1);
  });
});
