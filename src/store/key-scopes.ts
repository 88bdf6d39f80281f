import { z } from 'zod';
import type { KeyScopes } from './types.js';

/**
 * The stored shape of a key's scopes, checked once when a row is read (a row that does not
 * match fails closed as `store_unavailable`) and when an operator sets them.
 */
const count = z.number().int().positive();
const micro = z.number().int().nonnegative();

export const limitSetSchema = z
  .object({
    rps: count.optional(),
    rpm: count.optional(),
    rph: count.optional(),
    tpm: count.optional(),
    concurrency: count.optional(),
    dailyBudgetMicroUsd: micro.optional(),
    monthlyBudgetMicroUsd: micro.optional(),
  })
  .strict();

const name = z.string().min(1).max(256);

export const keyScopesSchema = z
  .object({
    models: z.array(name).max(256).optional(),
    endpoints: z
      .array(z.enum(['chat_completions', 'responses', 'embeddings', 'messages', 'models']))
      .optional(),
    providers: z.array(name).max(64).optional(),
    ipRanges: z.array(z.string().min(2).max(64)).max(256).optional(),
    maxTokens: count.optional(),
    maxTokensMode: z.enum(['clamp', 'refuse']).optional(),
    maxRequestCostMicroUsd: micro.optional(),
    team: z.string().min(1).max(64).optional(),
    tier: z.string().min(1).max(64).optional(),
    limits: limitSetSchema.optional(),
  })
  .strict();

export function parseKeyScopes(value: unknown): KeyScopes | undefined {
  const parsed = keyScopesSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
