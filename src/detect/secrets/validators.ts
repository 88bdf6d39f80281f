import type { RuleMatch } from './rule.js';

/** Pattern source shared by context rules: the `" : "` or ` = ` between a name and its value. */
export const ASSIGNMENT_TAIL = String.raw`["']?[ \t]{0,8}(?:=>|:=|=|:)[ \t]{0,8}["'\x60]?`;

/** Template marks no generated credential contains. */
const PLACEHOLDER_MARK = /\*\*\*|<[a-z_ -]{1,40}>|\$\{|\{\{|%[sd]/i;
/** Words that mark documentation and templates rather than credentials. */
const PLACEHOLDER_WORD =
  /example|sample|dummy|placeholder|changeme|change_me|redacted|your[_-]|xxxx|fake|insert|replace/gi;
const ALNUM = /[A-Za-z0-9]/;

/**
 * True for documentation and template values (`sk-xxxxxxxx`, `AKIA…EXAMPLE`, `your_api_key`).
 * A placeholder word counts when it stands at an edge of the value or beside punctuation, or
 * is six letters or more in one case (`…CYEXAMPLEKEY`): a random body holds `Xxxx` or `fAKe`
 * mid-run by chance about once in 15,000 keys, and such a key must still be reported.
 */
export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_MARK.test(value)) return true;
  for (const match of value.matchAll(PLACEHOLDER_WORD)) {
    const word = match[0];
    const start = match.index;
    const isOneCase = word === word.toLowerCase() || word === word.toUpperCase();
    if (isOneCase && word.length >= 6) return true;
    const before = value[start - 1];
    const after = value[start + word.length];
    if (before === undefined || after === undefined) return true;
    if (!ALNUM.test(before) || !ALNUM.test(after)) return true;
  }
  return false;
}

/** Six or more consecutive ascending characters (`abcdef`, `123456`): typed, not generated. */
export function hasAscendingRun(value: string, runLength = 6): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    run = value.charCodeAt(i) === value.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= runLength) return true;
  }
  return false;
}

export function hasUpperAndLower(value: string): boolean {
  return /[A-Z]/.test(value) && /[a-z]/.test(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]{0,80}(?:\.[A-Za-z_$][\w$]{0,80}){1,10}$/;
const PATH_LIKE = /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)|\.(?:pem|key|json|ya?ml|txt|env|crt|p12|pfx)$/i;

/** A value that reads as a reference to a secret (a variable, a path, an id), not a secret. */
export function looksLikeReference(value: string): boolean {
  return UUID.test(value) || DOTTED_IDENTIFIER.test(value) || PATH_LIKE.test(value);
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;

/**
 * The assignment target that ends at `m.matchStart` plus the matched keyword part, e.g.
 * `OPENAI_API_KEY` or `db.password`. Looks back at most 40 characters.
 */
export function assignedName(m: RuleMatch): string {
  let from = m.matchStart;
  const stop = Math.max(0, from - 40);
  while (from > stop && NAME_CHAR.test(m.text[from - 1] ?? '')) from--;
  const head = m.text.slice(from, m.start);
  const nameEnd = head.search(/["'`]?[ \t]*(?:=>|:=|=|:|\?\?=|\|\|=)/);
  return nameEnd === -1 ? head : head.slice(0, nameEnd);
}

/** Words inside which `key`/`token` do not mean a credential. */
const BENIGN_WORDS =
  /public|keyboard|monkey|donkey|turkey|hockey|whiskey|keyword|keyframe|keyspace|keystroke|tokenizer|author/i;
/** Last name segments that say the value describes a secret rather than being one. */
const BENIGN_SUFFIX = new Set([
  'id',
  'ids',
  'name',
  'names',
  'type',
  'types',
  'path',
  'file',
  'filename',
  'dir',
  'url',
  'uri',
  'endpoint',
  'size',
  'len',
  'length',
  'count',
  'limit',
  'limits',
  'format',
  'prefix',
  'suffix',
  'label',
  'field',
  'header',
  'hint',
  'env',
  'var',
  'ref',
  'version',
  'expiry',
  'expires',
  'ttl',
  'timeout',
  'hash',
  'sha',
  'sha1',
  'sha256',
  'sha512',
  'digest',
  'checksum',
  'tokens',
  'keys',
  'algorithm',
  'alg',
  'encoding',
  'policy',
  'rotation',
  'store',
  'provider',
]);

function lastSegment(name: string): string {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]+/)
    .filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? '';
}

export function isBenignName(name: string): boolean {
  return BENIGN_WORDS.test(name) || BENIGN_SUFFIX.has(lastSegment(name));
}

/** Checks shared by the context rules (`password = "…"`): a generated value, not prose. */
export function looksGenerated(value: string): boolean {
  return (
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !looksLikeReference(value) &&
    !hasAscendingRun(value)
  );
}

const URL_PASSWORD_PLACEHOLDERS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'changeme',
  'admin',
  'root',
  'user',
  'username',
  'xxx',
  'xxxx',
  'test',
  'postgres',
  'mysql',
  'redis',
  'guest',
  'example',
]);

/** Password part of a URL: rejects templates, defaults and the user name repeated. */
export function isRealUrlPassword(m: RuleMatch): boolean {
  const password = m.secret;
  if (password.length < 4 || /^[*x.]+$/i.test(password)) return false;
  if (/^[$%{<[]/.test(password) || isPlaceholder(password)) return false;
  if (URL_PASSWORD_PLACEHOLDERS.has(password.toLowerCase())) return false;
  return password !== m.groups.user;
}

/** A JWT whose header decodes to a JSON object naming an algorithm. */
export function hasJwtHeader(m: RuleMatch): boolean {
  const dot = m.secret.indexOf('.');
  try {
    const header: unknown = JSON.parse(
      Buffer.from(m.secret.slice(0, dot), 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null && 'alg' in header;
  } catch {
    return false;
  }
}

/**
 * An `sk-…` value of no known format is a key when one of its dash-separated parts is long
 * and random (letters and digits): `sk-4f9a…` (32 hex) or `sk-or-v1-…`, but not a model name
 * such as `deepseek-r1-distill-llama-70b`, whose parts are short words.
 */
export function hasKeyBody(value: string): boolean {
  return value
    .split('-')
    .some((part) => part.length >= 20 && /[0-9]/.test(part) && /[A-Za-z]/.test(part));
}
