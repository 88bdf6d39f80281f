import { z } from 'zod';
import { checkLinearPattern } from '../detect/secrets/index.js';
import { ENVIRONMENTS } from '../store/types.js';

/**
 * The `guard` section: input validation and normalisation, system-prompt isolation, secrets in
 * prompts, prompt-injection screening, PII and the output guard. `guard.environments.<env>`
 * overrides any of it for keys of that environment. Every field is built twice from one
 * description: with its default (the base) and optional without default (an override), so
 * an override changes only what it names.
 */

type Mode = 'base' | 'override';

type Field<M extends Mode, T extends z.ZodType> = M extends 'base'
  ? z.ZodDefault<T>
  : z.ZodOptional<T>;
type Section<M extends Mode, S extends z.ZodRawShape> = M extends 'base'
  ? z.ZodPrefault<z.ZodObject<S, z.core.$strict>>
  : z.ZodOptional<z.ZodObject<S, z.core.$strict>>;

function field<M extends Mode, T extends z.ZodType>(
  mode: M,
  schema: T,
  value: z.output<T>,
  describe: string,
): Field<M, T> {
  const built =
    mode === 'base'
      ? schema.default(value as never).describe(describe)
      : schema.optional().describe(describe);
  return built as unknown as Field<M, T>;
}

function section<M extends Mode, S extends z.ZodRawShape>(mode: M, shape: S): Section<M, S> {
  const object = z.object(shape).strict();
  const built = mode === 'base' ? object.prefault({} as never) : object.optional();
  return built as unknown as Section<M, S>;
}

const piiAction = z.enum(['redact', 'pseudonymise', 'block', 'allow']);
const outputPiiAction = z.enum(['redact', 'allow']);
const customName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/)
  .refine((n) => !['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'name'].includes(n), {
    message: 'is a built-in type; pick another name',
  });

const customRule = z
  .object({
    name: customName.describe('Type name in audit rows; placeholder stem, e.g. <EMPLOYEE_ID_1>.'),
    pattern: z
      .string()
      .max(1000)
      .optional()
      .describe('Regular expression; bounded repetition only (checked at load).'),
    caseInsensitive: z.boolean().optional().describe('Match the pattern case-insensitively.'),
    words: z
      .array(z.string().min(1).max(200))
      .max(100_000)
      .optional()
      .describe('Words or phrases, matched case-insensitively on word boundaries.'),
    action: piiAction.default('redact').describe('What to do with a match in a prompt.'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.pattern === undefined && (rule.words?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs a pattern or words' });
    }
    if (rule.pattern === undefined) return;
    try {
      checkLinearPattern(new RegExp(rule.pattern, 'gu'));
    } catch (err) {
      const why = err instanceof Error ? err.message.slice(0, 200) : 'invalid';
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a safe pattern (${why})` });
    }
  });

const piiTypes = <M extends Mode, T extends z.ZodType>(
  mode: M,
  action: T,
  defaults: Record<string, z.output<T>>,
) =>
  section(mode, {
    email: field(mode, action, defaults.email as z.output<T>, 'Email addresses.'),
    phone: field(mode, action, defaults.phone as z.output<T>, 'Phone numbers.'),
    card: field(mode, action, defaults.card as z.output<T>, 'Payment card numbers (Luhn).'),
    iban: field(mode, action, defaults.iban as z.output<T>, 'IBANs (mod 97).'),
    ssn: field(mode, action, defaults.ssn as z.output<T>, 'US Social Security numbers.'),
    ip: field(mode, action, defaults.ip as z.output<T>, 'IPv4 and IPv6 addresses.'),
    name: field(mode, action, defaults.name as z.output<T>, 'Person names.'),
  });

const classifierSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe('POST {text} here; the reply {score: 0..1} is combined with the local score.'),
    timeoutMs: z.number().int().positive().max(10_000).default(300).describe('Per call.'),
    failOpen: z
      .boolean()
      .default(false)
      .describe('false: a failed or slow classifier refuses the request (guard_unavailable).'),
    minLocalScore: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Call the classifier only when the local score is at least this.'),
  })
  .strict();

const moderationSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe(
        'POST {input} here; the reply is {flagged, score?, categories?} or OpenAI /v1/moderations {results: [...]}.',
      ),
    timeoutMs: z.number().int().positive().max(30_000).default(2000).describe('Per call.'),
    failOpen: z
      .boolean()
      .default(false)
      .describe(
        'false: a failed or slow hook refuses the answer (guard_unavailable); true: the answer passes and the audit row says so.',
      ),
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'is not a header name' }),
        z.string().regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
          message: 'inline values are refused; use env:MODERATION_AUTH or file:/run/secrets/...',
        }),
      )
      .default({})
      .describe(
        'Headers sent with every call (e.g. authorization), each a reference env:NAME or file:/path whose value is sent as is.',
      ),
    streamSegmentChars: z
      .number()
      .int()
      .min(128)
      .max(65_536)
      .default(1024)
      .describe(
        'Streams: released text is moderated in segments of about this many characters, each before it is sent.',
      ),
  })
  .strict();

function guardShape<M extends Mode>(mode: M) {
  // Long by design: the guard section's fields, declared once for the top level and for
  // per-model overrides; split, one schema would be scattered.
  return {
    enabled: field(mode, z.boolean(), true, 'Run the content guard at all.'),
    input: section(mode, {
      invisibleChars: field(
        mode,
        z.enum(['strip', 'refuse', 'allow']),
        'strip',
        'Zero-width, bidi-override, tag and control characters in prompts: strip them, refuse the request (invisible_characters), or leave them.',
      ),
      stripHtml: field(
        mode,
        z.boolean(),
        false,
        'Remove HTML tags, comments and scripts from prompts.',
      ),
      maxMessages: field(
        mode,
        z.number().int().positive(),
        2000,
        'Most messages (or input items) per request.',
      ),
      maxPromptTokens: field(
        mode,
        z.number().int().positive(),
        1_000_000,
        'Most prompt tokens (fast estimate: 4 ASCII characters or 1 other character per token); more is prompt_too_large.',
      ),
    }),
    systemPrompt: section(mode, {
      managed: field(
        mode,
        z.record(z.string().min(1), z.string().min(1).max(100_000)),
        {},
        'Gateway-managed system prompt per model name as callers send it ("*": every model). Caller text is never concatenated into it.',
      ),
      callerMessages: field(
        mode,
        z.enum(['demote', 'refuse']),
        'demote',
        'When a managed prompt applies, caller system/developer messages become user messages (demote) or are refused (system_prompt_override).',
      ),
    }),
    secrets: section(mode, {
      action: field(
        mode,
        z.enum(['block', 'mask', 'allow']),
        'block',
        'Credentials pasted into prompts: refuse (secret_in_prompt), mask as [REDACTED:<rule>], or allow.',
      ),
      disabledRules: field(mode, z.array(z.string()), [], 'Secret rule ids to skip in prompts.'),
    }),
    injection: section(mode, {
      action: field(
        mode,
        z.enum(['block', 'flag', 'allow']),
        'flag',
        'block: refuse at flagThreshold. flag: audit at flagThreshold, refuse at blockThreshold. allow: do not screen.',
      ),
      flagThreshold: field(
        mode,
        z.number().min(0).max(1),
        0.5,
        'Score at which a prompt is flagged.',
      ),
      blockThreshold: field(
        mode,
        z.number().min(0).max(1),
        0.9,
        'With action "flag", score at which a prompt is refused anyway (prompt_injection_detected).',
      ),
      roles: field(
        mode,
        z.array(z.enum(['system', 'developer', 'user', 'assistant', 'tool'])),
        ['user', 'tool'],
        'Message roles screened (tool results carry indirect injection).',
      ),
      disabledRules: field(mode, z.array(z.string()), [], 'Injection rule ids to skip.'),
      classifier: classifierSchema.optional().describe('Optional external classifier over HTTP.'),
      modelFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Learned scorer to load instead of the bundled models/injection.json (from npm run train:injection); read once at start, a missing or corrupt file stops the start.',
        ),
    }),
    pii: section(mode, {
      actions: piiTypes(mode, piiAction, {
        email: 'pseudonymise',
        phone: 'pseudonymise',
        card: 'pseudonymise',
        iban: 'pseudonymise',
        ssn: 'pseudonymise',
        ip: 'pseudonymise',
        name: 'pseudonymise',
      }),
      custom: field(
        mode,
        z.array(customRule).max(100),
        [],
        'Custom PII rules (patterns or word lists).',
      ),
    }),
    output: section(mode, {
      enabled: field(mode, z.boolean(), true, 'Filter model output (streams included).'),
      holdBackChars: field(
        mode,
        z.number().int().min(128).max(8192),
        256,
        'Most characters of a stream held back at once; a value up to half of this is always seen whole across chunk boundaries (longer credentials, PEM blocks and image URLs are removed from their start on).',
      ),
      restorePseudonyms: field(
        mode,
        z.boolean(),
        true,
        'Replace <TYPE_N> placeholders with the originals.',
      ),
      secrets: field(mode, z.enum(['redact', 'allow']), 'redact', 'Credentials in model output.'),
      pii: piiTypes(mode, outputPiiAction, {
        email: 'allow',
        phone: 'allow',
        card: 'redact',
        iban: 'redact',
        ssn: 'redact',
        ip: 'allow',
        name: 'allow',
      }),
      images: field(
        mode,
        z.enum(['neutralise', 'allow']),
        'neutralise',
        'Markdown images to hosts not in allowedHosts (a zero-click exfiltration channel).',
      ),
      links: field(
        mode,
        z.enum(['neutralise', 'allow']),
        'allow',
        'Markdown links to hosts not in allowedHosts.',
      ),
      allowedHosts: field(
        mode,
        z.array(z.string().min(1).max(253)),
        [],
        'Hosts (and their subdomains) images and links may point to.',
      ),
      escapeHtml: field(mode, z.boolean(), false, 'Escape < > & in model output text.'),
      moderation: moderationSchema
        .optional()
        .describe('Optional external moderation hook over HTTP, after redaction; absent: off.'),
    }),
  };
}

const overrideSchema = z.object(guardShape('override')).strict();

export const guardSchema = z
  .object({
    ...guardShape('base'),
    environments: z
      .partialRecord(z.enum(ENVIRONMENTS), overrideSchema)
      .default({})
      .describe('Per-environment overrides of any guard setting (keys carry an environment).'),
  })
  .strict()
  .prefault({});

export type GuardConfig = z.infer<typeof guardSchema>;
export type GuardPolicyConfig = Omit<GuardConfig, 'environments'>;
export type GuardOverride = z.infer<typeof overrideSchema>;
export type ModerationConfig = z.infer<typeof moderationSchema>;
export type PiiAction = z.infer<typeof piiAction>;
