import type { PricingConfig } from './config.js';

/** Dollars per million tokens (which is also micro-dollars per token). */
export interface ModelPrice {
  readonly inputUsdPerMTok: number;
  readonly outputUsdPerMTok: number;
  readonly maxOutputTokens: number | undefined;
}

/**
 * Built-in list prices (standard tier, USD per million tokens) of current OpenAI, Anthropic and
 * Gemini models. Operators override or extend them with `pricing.models`; a price that changed
 * upstream is a config edit, not a release.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': price(1.25, 10, 128_000),
  'gpt-5-mini': price(0.25, 2, 128_000),
  'gpt-5-nano': price(0.05, 0.4, 128_000),
  'gpt-4.1': price(2, 8, 32_768),
  'gpt-4.1-mini': price(0.4, 1.6, 32_768),
  'gpt-4.1-nano': price(0.1, 0.4, 32_768),
  'gpt-4o': price(2.5, 10, 16_384),
  'gpt-4o-mini': price(0.15, 0.6, 16_384),
  o3: price(2, 8, 100_000),
  'o3-mini': price(1.1, 4.4, 100_000),
  'o4-mini': price(1.1, 4.4, 100_000),
  'text-embedding-3-small': price(0.02, 0, 0),
  'text-embedding-3-large': price(0.13, 0, 0),
  'claude-opus-4-1': price(15, 75, 32_000),
  'claude-opus-4': price(15, 75, 32_000),
  'claude-sonnet-4-5': price(3, 15, 64_000),
  'claude-sonnet-4': price(3, 15, 64_000),
  'claude-haiku-4-5': price(1, 5, 64_000),
  'claude-3-5-haiku': price(0.8, 4, 8_192),
  'claude-3-haiku': price(0.25, 1.25, 4_096),
  'gemini-2.5-pro': price(1.25, 10, 65_536),
  'gemini-2.5-flash': price(0.3, 2.5, 65_536),
  'gemini-2.5-flash-lite': price(0.1, 0.4, 65_536),
  'gemini-2.0-flash': price(0.1, 0.4, 8_192),
  'gemini-2.0-flash-lite': price(0.075, 0.3, 8_192),
  // AWS Bedrock's own models (on-demand, us-east-1); its Claude models cost Anthropic's prices.
  'nova-premier': price(2.5, 12.5, 32_000),
  'nova-pro': price(0.8, 3.2, 10_000),
  'nova-lite': price(0.06, 0.24, 10_000),
  'nova-micro': price(0.035, 0.14, 10_000),
};

function price(input: number, output: number, maxOutputTokens: number): ModelPrice {
  return { inputUsdPerMTok: input, outputUsdPerMTok: output, maxOutputTokens };
}

export interface PriceTable {
  /** The gateway's model name first, then the upstream name; `undefined` when unpriced. */
  priceOf(model: string, upstreamModel?: string): ModelPrice | undefined;
}

/** A dated snapshot (`gpt-4o-mini-2024-07-18`, `claude-haiku-4-5-20251001`) costs its family's price. */
const DATED_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

export function createPriceTable(config: Pick<PricingConfig, 'models'>): PriceTable {
  const table = new Map<string, ModelPrice>(Object.entries(DEFAULT_PRICES));
  for (const [name, p] of Object.entries(config.models)) {
    table.set(name, {
      inputUsdPerMTok: p.inputUsdPerMTok,
      outputUsdPerMTok: p.outputUsdPerMTok,
      maxOutputTokens: p.maxOutputTokens ?? table.get(name)?.maxOutputTokens,
    });
  }
  const own = (name: string): ModelPrice | undefined =>
    table.get(name) ?? table.get(name.replace(DATED_SUFFIX, ''));
  const lookup = (name: string): ModelPrice | undefined => {
    const found = own(name);
    if (found !== undefined) return found;
    const family = bedrockFamily(name);
    return family === undefined ? undefined : own(family);
  };
  return {
    priceOf(model, upstreamModel) {
      return lookup(model) ?? (upstreamModel === undefined ? undefined : lookup(upstreamModel));
    },
  };
}

/**
 * A Bedrock model id or inference profile as the family name the table knows:
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`,
 * `amazon.nova-pro-v1:0` → `nova-pro`. Undefined for any other name.
 */
const BEDROCK_ID =
  /^(?:(?:us|eu|apac|jp|au|ca|us-gov|global)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer)\.([a-z0-9.-]+?)(?:-v\d+)?(?::\d+)?$/;

export function bedrockFamily(id: string): string | undefined {
  return BEDROCK_ID.exec(id)?.[1];
}

/** Micro-dollars, rounded up: a reservation must never be smaller than the real charge. */
export function costMicroUsd(p: ModelPrice, promptTokens: number, outputTokens: number): number {
  const exact = promptTokens * p.inputUsdPerMTok + outputTokens * p.outputUsdPerMTok;
  // Float products like 0.1 * 3 land a hair above the integer; do not charge a micro-dollar for it.
  return Math.max(0, Math.ceil(exact - 1e-6));
}

export function usdToMicro(usd: number): number {
  return Math.round(usd * 1_000_000);
}
