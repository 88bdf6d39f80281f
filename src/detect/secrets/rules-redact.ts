import type { SecretRule } from './rule.js';
import { defaultSecretRules } from './rules.js';

/** `sk-` inside a word: a key only when a part is long and random (not `deepseek-r1-…`). */
const hasRandomPart = (body: string) =>
  body.split('-').some((p) => p.length >= 20 && /[0-9]/.test(p) && /[A-Za-z]/.test(p));

/**
 * The wider net the log scrubber casts on top of the shared rules: short or cut-off
 * credential shapes that a scan would not report (no entropy floor) but that a log line, an
 * error or a reply must never carry. Masking something that was not a key costs a word of a
 * message; missing a key leaks it.
 */
const wideNetRules: readonly SecretRule[] = [
  {
    id: 'redact-bastion-key',
    title: 'Bastion virtual key, any length',
    severity: 'high',
    keywords: ['bk_'],
    pattern: /\bbk_[a-z]{2,8}_[A-Za-z0-9_-]{8,4096}/dg,
  },
  {
    id: 'redact-sk-key',
    title: 'OpenAI / Anthropic style key (sk-proj-, sk-ant-, sk-svcacct-), any length',
    severity: 'high',
    keywords: ['sk-'],
    pattern: /\bsk-[A-Za-z0-9_-]{8,4096}/dg,
  },
  {
    id: 'redact-sk-key-glued',
    title: 'The same, glued to a word (xsk-proj-…)',
    severity: 'high',
    keywords: ['sk-proj-', 'sk-ant-', 'sk-svcacct-', 'sk-admin-', 'sk-none-'],
    pattern: /sk-(?:proj|ant|svcacct|admin|None)-[A-Za-z0-9_-]{8,4096}/dg,
  },
  {
    id: 'redact-sk-key-in-word',
    title: 'An sk- key inside a word, with a long random part',
    severity: 'high',
    keywords: ['sk-'],
    pattern: /sk-[A-Za-z0-9_-]{20,250}/dg,
    validate: (m) => hasRandomPart(m.secret.slice(3)),
  },
  {
    id: 'redact-google-api-key',
    title: 'Google API key, any length',
    severity: 'high',
    keywords: ['aiza'],
    pattern: /\bAIza[0-9A-Za-z_-]{20,4096}/dg,
  },
  {
    id: 'redact-aws-access-key-id',
    title: 'AWS access key id',
    severity: 'high',
    keywords: ['akia', 'asia'],
    pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/dg,
  },
  {
    id: 'redact-github-token',
    title: 'GitHub token, any length',
    severity: 'high',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\bgh[pousr]_[A-Za-z0-9]{20,4096}/dg,
  },
  {
    id: 'redact-jwt',
    title: 'JWT, header unchecked',
    severity: 'medium',
    keywords: ['eyj'],
    pattern: /\beyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,4096}/dg,
  },
  {
    id: 'redact-bearer',
    title: 'Bearer credential of any kind',
    severity: 'medium',
    keywords: ['bearer'],
    pattern: /\b[Bb]earer\s{1,16}[A-Za-z0-9._~+/=-]{8,4096}/dg,
  },
];

/**
 * What the log scrubber masks (src/log/scrub.ts): the rules the scanner and the guards use,
 * then the wider net. One rule set, so a format added for `bastion scan` is scrubbed from logs
 * and replies too.
 */
export const redactionRules: readonly SecretRule[] = [...defaultSecretRules, ...wideNetRules];
