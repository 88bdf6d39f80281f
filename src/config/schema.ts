import { z } from 'zod';
import { alertsSchema, jwtSchema, limitsSchema, policySchema } from '../policy/config.js';
import { anomaliesSchema } from '../policy/anomaly/config.js';
import { guardSchema } from './guard.js';
import { telemetrySchema } from './telemetry.js';
import { pricingSchema } from '../pricing/config.js';
import { baseUrlProblem } from '../providers/core/base-url.js';
import { awsRegionOf } from './provider-options.js';
import { refineSecretRef, SECRET_REF_PATTERN, secretsSchema } from '../secrets/config-schema.js';

/**
 * The one configuration schema. Types come from `z.infer`; `schema/bastion.schema.json` is
 * generated from it (`npm run docs`) and a test fails when the two drift.
 */

/** A reference to a secret, never the secret: env:, file:, vault:, hcv:, aws:, azure:, gcp:. */
function secretRef(example: string) {
  return z
    .string()
    .regex(SECRET_REF_PATTERN, {
      error: (issue) => `inline secrets are refused; use ${inlineKeyHint(issue.input) ?? example}`,
    })
    .superRefine(refineSecretRef)
    .describe(
      `Reference to a secret: env:NAME, file:/path, vault:NAME, hcv:, aws:, azure: or gcp: (docs/secrets.md; e.g. ${example}). Never the value.`,
    );
}

/**
 * The variable a pasted provider key belongs in, from its well-known prefix, so an Anthropic key
 * is not told to move to OPENAI_API_KEY. Never echoes the value.
 */
const KEY_PREFIX_HINTS: readonly (readonly [string, string])[] = [
  ['sk-ant-', 'env:ANTHROPIC_API_KEY or file:/run/secrets/anthropic'],
  ['gsk_', 'env:GROQ_API_KEY or file:/run/secrets/groq'],
  ['AIza', 'env:GEMINI_API_KEY or file:/run/secrets/gemini'],
  ['sk-', 'env:OPENAI_API_KEY or file:/run/secrets/openai'],
];

function inlineKeyHint(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  return KEY_PREFIX_HINTS.find(([prefix]) => input.startsWith(prefix))?.[1];
}

/** The label of the admin token read from BASTION_ADMIN_TOKEN. */
export const ENV_ADMIN_LABEL = 'env-admin';

const port = z.number().int().min(0).max(65535);

const timeoutMs = (what: string) => z.number().int().positive().optional().describe(what);

/** Per-provider timeout overrides (docs/resilience.md); unset fields fall back to `upstream`. */
const providerTimeoutsSchema = z
  .object({
    connectTimeoutMs: timeoutMs('TCP+TLS connect to this provider.'),
    firstByteTimeoutMs: timeoutMs('Until the response headers arrive.'),
    idleTimeoutMs: timeoutMs('Longest silence between two body chunks.'),
    totalTimeoutMs: timeoutMs('Whole upstream exchange, retries and fallbacks included.'),
  })
  .strict();

/** Per-model (route) overrides; connect is per provider because connections are pooled. */
const modelTimeoutsSchema = providerTimeoutsSchema.omit({ connectTimeoutMs: true });

/** Retries on 429, 5xx and connection failures, before any byte reached the caller. */
const upstreamRetrySchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe('Upstream calls per request, the first included, across keys and fallbacks.'),
    baseDelayMs: z
      .number()
      .int()
      .min(0)
      .default(200)
      .describe('Backoff ceiling of the first retry; doubles per retry (full jitter below it).'),
    maxDelayMs: z.number().int().min(0).default(5_000).describe('Largest backoff ceiling.'),
    maxRetryTimeMs: z
      .number()
      .int()
      .min(0)
      .default(15_000)
      .describe(
        'No retry starts later than this after the first call; a longer Retry-After goes to the caller.',
      ),
  })
  .strict()
  .prefault({});

const positiveInt = () => z.number().int().positive();

const isoDate = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v), {
    message: 'expected an ISO date such as 2025-06-01',
  });

/** One upstream key of a pool; its secret is a reference, resolved in memory only. */
const upstreamKeySchema = z
  .object({
    label: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .describe('Name of this key in the audit log and the admin API (never the key).'),
    apiKey: secretRef('env:OPENAI_KEY_A or file:/run/secrets/openai-a'),
    weight: z.number().int().min(0).max(1000).default(1).describe('Share of new requests.'),
    state: z
      .enum(['active', 'draining', 'revoked'])
      .default('active')
      .describe('active: used; draining: no new requests; revoked: never used.'),
    createdAt: isoDate.optional().describe('When the key was created, for age warnings.'),
  })
  .strict();

/** A breaker per upstream key: open traffic moves to the next key or fallback. */
const upstreamCircuitSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Trip breakers on sustained upstream failure.'),
    failureThreshold: positiveInt().default(5).describe('Opens after this many failures in a row.'),
    errorRatePct: z
      .number()
      .min(1)
      .max(100)
      .default(50)
      .describe('Or when this share of calls in the window failed (with at least minRequests).'),
    minRequests: positiveInt().default(20).describe('Calls in the window before the rate counts.'),
    windowMs: positiveInt().default(30_000).describe('Window of the error rate.'),
    openMs: positiveInt().default(30_000).describe('Open this long, then half-open probes.'),
    halfOpenProbes: positiveInt().default(1).describe('Probes at once while half-open.'),
    backend: z
      .enum(['auto', 'memory', 'redis'])
      .default('auto')
      .describe(
        'Where breaker state lives. auto: Redis when limits.backend is redis on one Redis endpoint (same limits.redis connection settings), else in process (also on a Redis Cluster, limits.redis.cluster).',
      ),
  })
  .strict()
  .prefault({});

/** Native TLS: PEM certificate chain and key as secret references (docs/deploy.md). */
const tlsFields = {
  cert: secretRef('file:/run/secrets/tls.crt').describe(
    'Reference to the PEM certificate chain (usually file:). Re-read on SIGHUP / secrets reload: new connections get the new certificate, open ones keep theirs.',
  ),
  key: secretRef('file:/run/secrets/tls.key').describe(
    'Reference to the PEM private key (usually file:), reloaded with the certificate.',
  ),
};
const tlsDescription = (plane: string) =>
  `Serve the ${plane} plane over HTTPS (docs/deploy.md). Unset: plain HTTP; put a TLS terminator in front when it leaves the host.`;
const dataTlsSchema = z.object(tlsFields).strict().optional().describe(tlsDescription('data'));
const controlTlsSchema = z
  .object({
    ...tlsFields,
    clientCa: secretRef('file:/run/secrets/admin-ca.crt')
      .optional()
      .describe(
        'Mutual TLS for the admin API: reference to the PEM CA bundle that signs admin client certificates. /admin/* without such a certificate gets 401 admin_client_certificate_required; health and metrics do not ask for one.',
      ),
  })
  .strict()
  .optional()
  .describe(tlsDescription('control'));

const serverSchema = z
  .object({
    host: z
      .string()
      .default('127.0.0.1')
      .describe('Data-plane bind address. Use 0.0.0.0 to serve other machines.'),
    port: port.default(8080).describe('Data-plane port.'),
    tls: dataTlsSchema,
    bodyLimitBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024)
      .describe('Largest request body accepted; larger bodies get 413 body_too_large.'),
    headersTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe(
        'How long a client may take to send the request line and headers; then 408 request_timeout and the connection is closed (slow-header clients).',
      ),
    bodyTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe(
        'How long a client may take to send the whole request body once the gateway starts reading it; then 408 request_timeout and the connection is closed (endless or trickled bodies).',
      ),
    trustProxyHops: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('How many reverse proxies in front of Bastion to trust for X-Forwarded-For.'),
    shutdownGraceMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('On SIGTERM, how long in-flight requests may take before the process exits.'),
    cors: z
      .object({
        allowedOrigins: z
          .array(
            z.string().regex(/^https?:\/\/[^/\s*]+$/, {
              message:
                'must be an exact origin like https://app.example.com (scheme and host, no path, no trailing slash, no wildcard)',
            }),
          )
          .default([])
          .describe(
            'Browser origins allowed to call the data plane (CORS), matched exactly. Empty: CORS is off.',
          ),
        allowVirtualKeys: z
          .boolean()
          .default(false)
          .describe(
            'Accept a virtual key from a browser page of an allowed origin. Off: browsers must present an end-user JWT, since a key in a page is readable by every visitor.',
          ),
        maxAgeSec: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(600)
          .describe('How long browsers may cache a preflight answer.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const adminTokenSchema = z
  .object({
    label: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .describe('Names the token in the operator event log and the gateway log (never its value).'),
    role: z
      .enum(['admin', 'viewer'])
      .describe(
        'admin: every admin call. viewer: reads (GET) only; every action is refused with 403.',
      ),
    token: secretRef('env:BASTION_VIEWER_TOKEN').describe(
      'Reference to the bearer token (at least 16 characters). Follows secret reloads.',
    ),
  })
  .strict();

const adminSchema = z
  .object({
    tokens: z
      .array(adminTokenSchema)
      .max(64)
      .default([])
      .superRefine((tokens, ctx) => {
        const seen = new Set<string>();
        for (const [i, { label }] of tokens.entries()) {
          if (seen.has(label) || label === ENV_ADMIN_LABEL)
            ctx.addIssue({
              code: 'custom',
              path: [i, 'label'],
              message: `label "${label}" is used twice (or is the reserved ${ENV_ADMIN_LABEL}); give each token its own`,
            });
          seen.add(label);
        }
      })
      .describe(
        `Admin API tokens, each with a label and a role. BASTION_ADMIN_TOKEN, when set, is one more admin token labelled "${ENV_ADMIN_LABEL}".`,
      ),
  })
  .strict()
  .prefault({});

const controlPlaneSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve health (and later admin) endpoints.'),
    host: z
      .string()
      .default('127.0.0.1')
      .describe('Control-plane bind address; loopback by default.'),
    port: port.default(8081).describe('Control-plane port.'),
    tls: controlTlsSchema,
    admin: adminSchema,
    metrics: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Serve Prometheus metrics at GET /metrics on the control plane.'),
        token: secretRef('env:BASTION_METRICS_TOKEN')
          .optional()
          .describe(
            'Bearer token scrapers must send (env: or file: reference). Unset: /metrics is open to whoever reaches the control plane (loopback by default).',
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const storesSchema = z
  .object({
    kind: z
      .enum(['sqlite', 'postgres'])
      .default('sqlite')
      .describe('sqlite: one node, a local file. postgres: several replicas share one database.'),
    sqlite: z
      .object({
        path: z.string().default('./data/bastion.db').describe('SQLite database file.'),
      })
      .strict()
      .prefault({}),
    postgres: z
      .object({
        url: secretRef('env:DATABASE_URL')
          .default('env:DATABASE_URL')
          .describe('Reference to the PostgreSQL connection string (it may hold a password).'),
        schema: z.string().default('public').describe('PostgreSQL schema for Bastion tables.'),
        poolSize: z.number().int().positive().default(10).describe('Connections per process.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const azureOptionsSchema = z
  .object({
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/)
      .default('2024-10-21')
      .describe('The api-version query parameter of every request (YYYY-MM-DD[-preview]).'),
    auth: z
      .enum(['api-key', 'entra'])
      .default('api-key')
      .describe(
        'api-key: the resource key in the api-key header. entra: the key is a Microsoft Entra access token (scope https://cognitiveservices.azure.com/.default), sent as a bearer token; give it as a reference a sidecar keeps fresh (e.g. file:), the secrets cache re-reads it.',
      ),
  })
  .strict();

const providerSchema = z
  .object({
    kind: z
      .enum(['openai', 'anthropic', 'azure-openai', 'gemini', 'bedrock'])
      .describe(
        'Wire format. "openai" also covers every OpenAI-compatible service (Ollama, vLLM, Groq, OpenRouter, …: set baseUrl). "azure-openai": Azure OpenAI deployments (see `azure`). "gemini": Google Gemini API (AI Studio key). "bedrock": AWS Bedrock Converse, SigV4-signed; the key is ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN] (see `aws`). Callers of any format reach any kind, translated.',
      ),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .superRefine((url, ctx) => {
        const problem = baseUrlProblem(url);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        'Upstream base URL; its path is kept. With a version segment (https://api.groq.com/openai/v1) endpoints join it as in the OpenAI SDK (/chat/completions); without one (https://api.openai.com, https://api.groq.com/openai) /v1/… is added. No query or fragment. Callers can never change it.',
      ),
    apiKey: secretRef('env:OPENAI_API_KEY or file:/run/secrets/openai')
      .optional()
      .describe('The provider key, single-key form (env:NAME, file:/path, …); or use `keys`.'),
    keyLabel: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional()
      .describe('Name of this upstream key in the audit log (never the key). Default: "<id>-1".'),
    keyCreatedAt: isoDate
      .optional()
      .describe('When the single `apiKey` was created, for the 60/90-day age warnings.'),
    keys: z
      .array(upstreamKeySchema)
      .min(1)
      .optional()
      .describe('A pool of keys with weights and states (docs/rotation.md); instead of `apiKey`.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra static headers for every upstream request (e.g. OpenAI-Organization).'),
    timeouts: providerTimeoutsSchema
      .optional()
      .describe('Timeout overrides for this provider; unset fields use `upstream`.'),
    azure: azureOptionsSchema
      .optional()
      .describe(
        "kind azure-openai only: api-version and how the key is sent. A model's deployment is its upstreamModel (else its name).",
      ),
    aws: z
      .object({
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)
          .optional()
          .describe(
            'The region requests are signed for. Default: the one in a bedrock-runtime.<region>.amazonaws.com base URL.',
          ),
      })
      .strict()
      .optional()
      .describe('kind bedrock only: SigV4 signing.'),
    passthrough: z
      .boolean()
      .default(false)
      .describe(
        "Serve any model name that no `models` entry matches on this provider's endpoints, sent upstream as the caller wrote it (one pass-through provider per kind). Scopes apply to that name; budgets refuse it with model_price_unknown unless `pricing.models` prices it.",
      ),
  })
  .strict()
  .refine((p) => (p.apiKey === undefined) !== (p.keys === undefined), {
    message: 'set exactly one of apiKey or keys',
  })
  .refine((p) => new Set(p.keys?.map((k) => k.label)).size === (p.keys?.length ?? 0), {
    message: 'key labels must be unique',
    path: ['keys'],
  })
  .refine((p) => p.azure === undefined || p.kind === 'azure-openai', {
    message: 'only a provider of kind azure-openai takes `azure` options',
    path: ['azure'],
  })
  .refine((p) => p.aws === undefined || p.kind === 'bedrock', {
    message: 'only a provider of kind bedrock takes `aws` options',
    path: ['aws'],
  })
  .refine((p) => p.kind !== 'bedrock' || awsRegionOf(p) !== '', {
    message: 'set aws.region, or use a https://bedrock-runtime.<region>.amazonaws.com base URL',
    path: ['aws', 'region'],
  });

const modelSchema = z
  .object({
    provider: z.string().describe('Id of a provider in `providers`.'),
    upstreamModel: z
      .string()
      .optional()
      .describe('Model name sent upstream when it differs (aliases).'),
    timeouts: modelTimeoutsSchema
      .optional()
      .describe(
        'Timeout overrides for this model; unset fields use the provider, then `upstream`.',
      ),
    fallbacks: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Other models (names in `models`, of any provider: a request is translated for a provider of another API format) tried in order when every key of this one fails; never beyond what the caller may use.',
      ),
  })
  .strict();

const upstreamSchema = z
  .object({
    connectTimeoutMs: z.number().int().positive().default(5_000).describe('TCP+TLS connect.'),
    firstByteTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Until the upstream response headers arrive.'),
    idleTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Longest silence between two body chunks (streams included).'),
    totalTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(600_000)
      .describe('Whole upstream exchange, retries and fallbacks included, until the last byte.'),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024)
      .describe('Largest non-streamed upstream response accepted.'),
    connections: z
      .number()
      .int()
      .positive()
      .default(128)
      .describe('Keep-alive connections per upstream origin.'),
    connectionWaitMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'Longest wait for a free upstream connection when all are busy; then 503 upstream_queue_timeout with Retry-After.',
      ),
    reservedConnectionsPct: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe(
        "Share of a provider's connections (at least one) that only keys or end users below their fair share (connections / callers, at most half) may take, so one caller never holds them all.",
      ),
    retry: upstreamRetrySchema,
    circuit: upstreamCircuitSchema,
  })
  .strict()
  .prefault({});

const auditSchema = z
  .object({
    flushIntervalMs: z
      .number()
      .int()
      .positive()
      .default(250)
      .describe('Audit rows are written in batches at least this often.'),
    batchSize: z.number().int().positive().default(500).describe('Rows per batch write.'),
    maxQueue: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('Rows buffered while the store is slow; past this, requests are refused.'),
    chainKey: secretRef('env:BASTION_AUDIT_CHAIN_KEY or file:/run/secrets/audit-chain-key')
      .optional()
      .describe(
        'Reference to the audit hash-chain key (at least 32 bytes). Set: each record is chained with HMAC-SHA-256 and a database writer without the key cannot forge the chain. Unset: plain SHA-256, which detects edits and deletions inside a chain but not a full rewrite. bastion audit verify needs the same key (docs/audit.md).',
      ),
    previousChainKeys: z
      .array(secretRef('env:BASTION_AUDIT_CHAIN_KEY_2025 or file:/run/secrets/audit-chain-key-old'))
      .default([])
      .describe(
        'References to earlier audit chain keys, read only by bastion audit verify: chains written before a rotation of audit.chainKey still verify (docs/audit.md).',
      ),
    userIdKey: secretRef('env:BASTION_AUDIT_USER_ID_KEY or file:/run/secrets/audit-user-id-key')
      .optional()
      .describe(
        'Reference to the key (at least 32 bytes) that turns end-user ids an app names (user field, end-user header, Anthropic metadata.user_id) into u_<HMAC-SHA-256> before limits, budgets and the audit log see them. Unset: derived from audit.chainKey (so set this before rotating the chain key); neither set: such ids are used for limits only and the audit row stores none. Keep it stable: a new key starts new per-user counters.',
      ),
    userIdReadable: z
      .boolean()
      .default(false)
      .describe(
        'Also store a short readable excerpt of app-named end-user ids after the hash (u_<hash>~<excerpt>), credential-shaped text masked.',
      ),
    durability: z
      .enum(['batched', 'spooled', 'sync'])
      .default('spooled')
      .describe(
        'What a crash (kill -9, OOM) may cost (docs/audit.md). batched: rows not yet in the store (up to flushIntervalMs, more while the store is slow). spooled (default): rows go to a local write-ahead file (audit.spoolPath) every spoolIntervalMs and are replayed at start, so at most the last spoolIntervalMs of rows is lost. sync: a response completes only once its row is stored (SQLite synchronous=FULL); nothing a caller saw complete is lost, at a latency cost.',
      ),
    spoolIntervalMs: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(25)
      .describe(
        "durability spooled: rows are appended to the spool and fdatasync'd at least this often; the bound on what a crash loses.",
      ),
    spoolPath: z
      .string()
      .min(1)
      .optional()
      .describe(
        'durability spooled: the local spool directory. Any number of gateways (processes or replicas on one host) share it: each writes its own <pid>-<random>.spool file, and at start a gateway replays and removes the files of gateways that are no longer running. Default: beside the SQLite file (<path>.audit-spool.d), or with Postgres audit-spool-<schema>-<digest of server, port, database and schema> in the directory of stores.sqlite.path (the data directory: /var/lib/bastion in the container image); resolved to an absolute path at start and logged (audit_spool_path). Keep it on a volume that outlives the container; with a relative stores.sqlite.path, start the gateway from the same working directory or set this. A directory that cannot be created stops the start. Unusable (:memory: SQLite): rows are batched.',
      ),
    syncTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(5_000)
      .describe(
        'durability sync: how long a response waits for its audit row; past it the connection is closed without completing the response.',
      ),
    retention: z
      .object({
        maxAgeDays: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            'Rows older than this many days are archived then deleted by bastion audit archive (run it daily, e.g. from cron). Unset: rows are kept forever and bastion doctor warns.',
          ),
        archiveDir: z
          .string()
          .min(1)
          .default('./data/audit-archive')
          .describe(
            'Where bastion audit archive writes its gzip JSON-lines archives (each verifiable with bastion audit verify --archive FILE).',
          ),
      })
      .strict()
      .prefault({}),
    chainHeadLogIntervalMs: z
      .number()
      .int()
      .positive()
      .default(1_000)
      .describe(
        'Log the audit chain head (event audit_chain_head: chain id, seq, hash) at the first write, then at most this often, and at shutdown, so it can be kept outside the database (bastion audit verify --heads).',
      ),
  })
  .strict()
  .prefault({});

const logSchema = z
  .object({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level. Bodies are never logged at any level.'),
  })
  .strict()
  .prefault({});

const reloadSchema = z
  .object({
    watch: z
      .boolean()
      .default(false)
      .describe(
        'Reload the configuration when the file given with --config changes (e.g. a Kubernetes ConfigMap), as SIGHUP and POST /admin/config/reload do.',
      ),
    debounceMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(500)
      .describe('How long the file must stay unchanged before a watched change is reloaded.'),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    server: serverSchema,
    controlPlane: controlPlaneSchema,
    stores: storesSchema,
    providers: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/), providerSchema)
      .default({})
      .describe(
        'Upstream providers by id. Empty: the built-in mock provider serves (or OPENAI_API_KEY / ANTHROPIC_API_KEY, when set, configure the real ones).',
      ),
    models: z
      .record(z.string().min(1), modelSchema)
      .default({})
      .describe(
        'Models callers may name, each mapped to a provider. A name with * or ? (gpt-*) routes every matching name, sent upstream unchanged; exact names win, then the longest pattern. Empty: the defaults.',
      ),
    upstream: upstreamSchema,
    policy: policySchema,
    limits: limitsSchema,
    pricing: pricingSchema,
    jwt: jwtSchema,
    alerts: alertsSchema,
    anomalies: anomaliesSchema,
    guard: guardSchema,
    audit: auditSchema,
    log: logSchema,
    secrets: secretsSchema,
    telemetry: telemetrySchema,
    reload: reloadSchema,
  })
  .strict()
  .refine((c) => !(c.limits.redis.cluster && c.upstream.circuit.backend === 'redis'), {
    message:
      'breaker state needs one Redis endpoint, not a cluster; use upstream.circuit.backend auto (in process on a cluster)',
    path: ['upstream', 'circuit', 'backend'],
  })
  .describe('Bastion gateway configuration');

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
