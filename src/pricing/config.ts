import { z } from 'zod';

const perMillion = z.number().nonnegative().max(100_000);

export const modelPriceSchema = z
  .object({
    inputUsdPerMTok: perMillion.describe('Dollars per million prompt tokens.'),
    outputUsdPerMTok: perMillion.describe('Dollars per million output tokens.'),
    maxOutputTokens: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Most output tokens the model can produce; the worst case when none is asked.'),
  })
  .strict();

export const pricingSchema = z
  .object({
    models: z
      .record(z.string().min(1), modelPriceSchema)
      .default({})
      .describe('Prices by model name (gateway or upstream name); override the built-in table.'),
    defaultMaxOutputTokens: z
      .number()
      .int()
      .positive()
      .default(4_096)
      .describe('Worst-case output when neither the request nor the price table bounds it.'),
    tokenCounting: z
      .enum(['exact', 'estimate'])
      .default('exact')
      .describe(
        'How prompt tokens of OpenAI models are counted for budgets and token limits: `exact` with their BPE encoding (its tables, about 65 MiB, load on the first such prompt), or `estimate` like every other model (UTF-8 bytes / estimateBytesPerToken, above the real count for English and code), which never loads them.',
      ),
    estimateBytesPerToken: z
      .number()
      .positive()
      .max(8)
      .default(3)
      .describe('Token estimate for models without a bundled tokenizer: UTF-8 bytes / this.'),
    exactTokenizeMaxChars: z
      .number()
      .int()
      .positive()
      .default(1_000_000)
      .describe(
        'Longer prompts to OpenAI models are not tokenized but charged one token per UTF-8 byte (an upper bound), to bound the work per request.',
      ),
  })
  .strict()
  .prefault({});

export type PricingConfig = z.infer<typeof pricingSchema>;
