import { shannonEntropy } from './entropy.js';
import type { SecretRule } from './rule.js';
import {
  assignedName,
  hasJwtHeader,
  hasKeyBody,
  isBenignName,
  isRealUrlPassword,
  looksGenerated,
} from './validators.js';

/** The key body: armour lines dropped, and the escaped line breaks of JSON or env files. */
function normalizePemBody(block: string): string {
  return block.replace(/-----(?:BEGIN|END)[ A-Z0-9]{0,40}-----/g, '').replace(/\\[nrt]|\s/g, '');
}

const DB_SCHEMES =
  'postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse';
const URL_USERINFO = String.raw`:\/\/(?<user>[^\s:@/?#"'\x60<>]{0,64}):(?<secret>[^\s@/?#"'\x60<>]{1,128})@[A-Za-z0-9._-]{1,253}`;

/** `sk-` keys the provider rules know (OpenAI project/service/admin/legacy, Anthropic). */
const KNOWN_SK_FORMAT = /^sk-(?:proj|None|svcacct|admin|ant)-|T3BlbkFJ/;

/** First in priority: a key body can hold anything a later rule would match. */
export const privateKeyRule: SecretRule = {
  id: 'private-key',
  title: 'PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP)',
  severity: 'high',
  keywords: ['private key'],
  // The whole block is the secret (masking removes all of it). The body may not contain
  // five dashes, so a scan that starts at one BEGIN stops at the next marker instead of
  // running over it: work stays linear in the input.
  pattern:
    /-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,\\]|-(?!----)){64,16384}?-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----/dg,
  normalize: normalizePemBody,
  minEntropy: 4.5,
};

/**
 * Format-independent rules. They come after the provider rules: when two findings overlap,
 * the earlier rule wins, so a JWT assigned to `token` is reported as a JWT.
 */
export const genericRules: readonly SecretRule[] = [
  {
    id: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,1024}/dg,
    minEntropy: 4,
    validate: hasJwtHeader,
  },
  {
    id: 'database-url-password',
    title: 'Database connection URL with a password',
    severity: 'high',
    keywords: [
      'postgres',
      'mysql',
      'mariadb',
      'mongodb',
      'redis',
      'amqp',
      'mssql',
      'sqlserver',
      'cockroachdb',
      'clickhouse',
    ],
    pattern: new RegExp(`(?<![A-Za-z0-9+.-])(?:${DB_SCHEMES})${URL_USERINFO}`, 'dgi'),
    validate: isRealUrlPassword,
  },
  {
    id: 'url-password',
    title: 'Password or token in a URL (https://user:secret@host)',
    severity: 'medium',
    keywords: ['://'],
    pattern: new RegExp(
      `(?<![A-Za-z0-9+.-])(?:https?|ftps?|sftp|smtps?|ldaps?|ssh|git)${URL_USERINFO}`,
      'dgi',
    ),
    minEntropy: 2.5,
    validate: (m) =>
      isRealUrlPassword(m) && !/example\.(?:com|org|net)/i.test(m.text.slice(m.end, m.end + 40)),
  },
  {
    id: 'sk-shaped-key',
    title: 'API key of no known format shaped like sk-… (also glued to a word)',
    severity: 'medium',
    keywords: ['sk-'],
    // No look-behind: `xsk-…` is as much a key as `sk-…`; `hasKeyBody` keeps model names out.
    // Known formats are their own rules' (an allow-listed rule must not come back under this one).
    pattern: /sk-[A-Za-z0-9_-]{20,250}/dg,
    // Hex bodies (sk- plus 32 hex, as DeepSeek issues) top out at 4 bits a character: 1 in 200
    // random ones falls under 3.5 and none under 3.0 in 200,000 draws.
    minEntropy: 3.0,
    validate: (m) => hasKeyBody(m.secret.slice(3)) && !KNOWN_SK_FORMAT.test(m.secret),
  },
  {
    id: 'bearer-token',
    title: 'Bearer or Basic credential (Authorization header)',
    severity: 'medium',
    keywords: ['bearer', 'basic'],
    pattern: /\b(?:[Bb]earer|[Bb]asic)[ \t]{1,4}(?<secret>[A-Za-z0-9._~+/=-]{20,2048})/dg,
    minEntropy: 3.5,
    validate: (m) => looksGenerated(m.secret),
  },
  {
    id: 'generic-secret',
    title: 'High-entropy value assigned to a secret-like name (key, token, secret, password)',
    severity: 'medium',
    keywords: ['key', 'token', 'secret', 'passw', 'pwd', 'credential'],
    pattern: new RegExp(
      String.raw`(?:key|token|secret|passw(?:or)?d|pwd|credentials?)[A-Za-z0-9_.-]{0,24}` +
        String.raw`["']?[ \t]{0,8}(?:=>|:=|=|:|\?\?=|\|\|=)[ \t]{0,8}["'\x60]?` +
        String.raw`(?<secret>[A-Za-z0-9+/_.=~!@#%^&*-]{16,200})`,
      'dgi',
    ),
    // Random values of 16–19 characters fall under 3.5 bits/char too often (4% at 16).
    validate: (m) =>
      shannonEntropy(m.secret) >= (m.secret.length < 20 ? 3.2 : 3.5) &&
      looksGenerated(m.secret) &&
      !isBenignName(assignedName(m)) &&
      m.text[m.end] !== '(' &&
      m.text[m.end] !== '$',
  },
];
