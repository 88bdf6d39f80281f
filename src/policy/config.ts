import { z } from 'zod';

/**
 * Configuration of access policy and spend control: the `policy`, `limits`, `jwt` and `alerts`
 * sections of the config (pricing lives in `src/pricing/config.ts`). Money in config is in
 * dollars for people; the gateway converts it once to integer micro-dollars.
 */

const count = z.number().int().positive();
const usd = z.number().nonnegative().max(1_000_000_000);

/** Limits that apply to one subject (a key, a user, a team, an environment, everything). */
export const limitSetSchema = z
  .object({
    rps: count.optional().describe('Burst: requests per second.'),
    rpm: count.optional().describe('Requests per minute (sliding 60 s window).'),
    rph: count.optional().describe('Requests per hour (sliding 3600 s window).'),
    tpm: count
      .optional()
      .describe('Tokens per minute: prompt tokens plus the max output tokens of each request.'),
    concurrency: count.optional().describe('Requests in flight at once.'),
    dailyBudgetUsd: usd.optional().describe('Spend cap per UTC day, in dollars.'),
    monthlyBudgetUsd: usd.optional().describe('Spend cap per UTC calendar month, in dollars.'),
  })
  .strict();

export type LimitSetConfig = z.infer<typeof limitSetSchema>;

function envDefaults(rpm: number, monthlyBudgetUsd: number, concurrency?: number) {
  return {
    keyDefaults: { rpm, monthlyBudgetUsd, ...(concurrency === undefined ? {} : { concurrency }) },
    total: {},
    models: undefined,
    providers: undefined,
  };
}

const environmentSchema = z
  .object({
    keyDefaults: limitSetSchema
      .default({})
      .describe('Limits every key of this environment inherits unless the key sets its own.'),
    total: limitSetSchema
      .default({})
      .describe('Limits on all traffic of this environment together.'),
    models: z
      .array(z.string().min(1))
      .optional()
      .describe('Model globs this environment may use (e.g. ["gpt-4o-mini", "claude-*"]).'),
    providers: z.array(z.string().min(1)).optional().describe('Provider ids it may use.'),
  })
  .strict();

const tierSchema = limitSetSchema.describe('Limits for each end user of this tier.');

export const policySchema = z
  .object({
    acceptEnvironments: z
      .array(z.enum(['dev', 'staging', 'prod', 'ci']))
      .default(['dev', 'staging', 'prod', 'ci'])
      .describe('Environments this gateway serves; keys of others get 403 environment_denied.'),
    environments: z
      .object({
        dev: environmentSchema.default(envDefaults(10, 5)),
        staging: environmentSchema.default(envDefaults(100, 50)),
        // A prod key's requests in flight are capped so one key's streams cannot take the
        // upstream pool (128 connections by default) from every other key.
        prod: environmentSchema.default(envDefaults(600, 500, 32)),
        ci: environmentSchema.default(envDefaults(50, 20)),
      })
      .strict()
      .prefault({})
      .describe('Per environment: defaults keys inherit, totals, and allowed models/providers.'),
    global: limitSetSchema.default({}).describe('Limits on all traffic through this gateway.'),
    teams: z
      .record(z.string().min(1).max(64), limitSetSchema)
      .default({})
      .describe('Limits per team (all keys and users of the team together).'),
    tiers: z
      .record(z.string().min(1).max(64), tierSchema)
      .default({
        free: { rph: 30, rps: 5 },
        pro: { rpm: 600, rps: 20 },
      })
      .describe('End-user tiers and their per-user limits.'),
    defaultTier: z
      .string()
      .default('free')
      .describe('Tier of a JWT end user whose token names none.'),
    endUserHeader: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/)
      .default('x-bastion-user')
      .describe(
        "Header an app uses to name its end user (OpenAI's `user` field and Anthropic's `metadata.user_id` work too).",
      ),
    appUserTier: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'Tier for end users an app names with its key (header, `user`, `metadata.user_id`) when the key has no tier. Unset: they are attributed in the audit log but get per-user limits only from a key with a tier. JWT users always get per-user limits (their tier, else defaultTier).',
      ),
    killSwitchPollMs: z
      .number()
      .int()
      .min(50)
      .max(1_000)
      .default(500)
      .describe('How often each replica re-reads the kill switches from the store.'),
    killSwitchMaxStaleMs: z
      .number()
      .int()
      .positive()
      .default(5_000)
      .describe('Past this without a successful read, requests are refused (fail closed).'),
  })
  .strict()
  .refine((p) => p.killSwitchMaxStaleMs >= 2 * p.killSwitchPollMs, {
    message: 'killSwitchMaxStaleMs must be at least twice killSwitchPollMs',
    path: ['killSwitchMaxStaleMs'],
  })
  .prefault({});

export const limitsSchema = z
  .object({
    backend: z
      .enum(['memory', 'redis'])
      .default('memory')
      .describe('memory: counters in this process (one replica). redis: shared by replicas.'),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
            message: 'inline secrets are refused; use env:REDIS_URL',
          })
          .default('env:REDIS_URL')
          .describe(
            'Reference to the Redis URL (env:NAME or file:/path); it may hold a password. In cluster mode, one or more seed nodes of the cluster, comma-separated (redis://[user:password@]host:port,...): the others are discovered; the first URL gives the credentials and TLS (rediss:) for all.',
          ),
        cluster: z
          .boolean()
          .default(false)
          .describe(
            "A Redis Cluster (ioredis Cluster client): each subject's counters stay on their own shard, a request is admitted subject by subject (key, user, team, env, global) and what earlier subjects took is taken back when a later one refuses (docs/scale-out.md). false: one Redis endpoint, one script per request.",
          ),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]{1,64}$/)
          .default('bastion')
          .describe(
            'Prefix of every Redis key: "<prefix>:{<subject>}" (a subject\'s counters) and "<prefix>:{<subject>}:<counter>", its subject as hash tag.',
          ),
        commandTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(500)
          .describe('A Redis call slower than this fails closed (503 limits_unavailable).'),
      })
      .strict()
      .prefault({}),
    leaseTtlSec: z
      .number()
      .int()
      .positive()
      .default(900)
      .describe('A slot or reservation not released by then (a crashed replica) expires.'),
  })
  .strict()
  .prefault({});

export const jwtSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Accept end-user JWTs as credentials.'),
    jwksUrl: z.url().optional().describe('JWKS URL (cached; refetched on an unknown kid).'),
    jwksFile: z.string().optional().describe('JWKS JSON file, instead of a URL.'),
    jwksCacheSec: count.default(600).describe('How long a fetched JWKS is trusted.'),
    issuer: z.string().min(1).optional().describe('Required `iss`.'),
    audience: z.string().min(1).optional().describe('Required `aud`.'),
    algorithms: z
      .array(
        z.enum([
          'RS256',
          'RS384',
          'RS512',
          'PS256',
          'PS384',
          'PS512',
          'ES256',
          'ES384',
          'ES512',
          'EdDSA',
        ]),
      )
      .min(1)
      .default(['RS256', 'ES256'])
      .describe('Allowed signature algorithms; `none` and HMAC are never accepted.'),
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    env: z
      .enum(['dev', 'staging', 'prod', 'ci'])
      .default('prod')
      .describe('Environment whose limits apply to JWT callers.'),
    claims: z
      .object({
        userId: z.string().default('sub'),
        team: z.string().default('team'),
        tier: z.string().default('tier'),
      })
      .strict()
      .prefault({})
      .describe('Claim names mapped to user id, team and tier.'),
  })
  .strict()
  .refine((j) => !j.enabled || j.jwksUrl !== undefined || j.jwksFile !== undefined, {
    message: 'jwt.enabled needs jwt.jwksUrl or jwt.jwksFile',
  })
  .prefault({});

export const alertsSchema = z
  .object({
    thresholdsPct: z
      .array(z.number().int().min(1).max(100))
      .default([50, 80, 100])
      .describe('Budget percentages that raise an alert, once per budget window.'),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('POST target for alerts.'),
    webhookSecret: z
      .string()
      .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
        message: 'inline secrets are refused; use env:BASTION_ALERT_SECRET',
      })
      .optional()
      .describe('Reference to the HMAC-SHA256 signing secret of the webhook.'),
    maxAttempts: z.number().int().min(1).max(20).default(6),
    backoffBaseMs: z.number().int().positive().default(500),
    backoffMaxMs: z.number().int().positive().default(60_000),
    timeoutMs: z.number().int().positive().default(5_000),
  })
  .strict()
  .prefault({});

export type PolicyConfig = z.infer<typeof policySchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
export type JwtConfig = z.infer<typeof jwtSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
