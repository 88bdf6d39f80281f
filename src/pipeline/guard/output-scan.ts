import { PLACEHOLDER_PATTERN, type PseudonymVault } from '../../detect/pii/index.js';
import { findMarkdownRefs, isHostAllowed } from '../../detect/text/markdown.js';
import { scrubber } from '../../log/scrub.js';
import type { Continuation, Replacement, WindowScanner } from './output-text.js';
import { createOpenTail } from './output-tail.js';
import type { GuardPolicy } from './policy.js';

/** Characters that may continue a credential past the window (keys, JWTs, base64). */
const TOKEN_CHAR = /[A-Za-z0-9_\-+/=.~]/;
const PEM_BEGIN = /-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----/;
/** A PEM body is removed up to its END line, or at most this much when the END never comes. */
const MAX_PEM_CHARS = 16 * 1024;
/** Kept back while searching for the END line, so a line split across windows is still seen. */
const PEM_TAIL = 48;

/** Keeps consuming characters while `test` holds. */
function whileChars(test: RegExp): Continuation {
  return {
    next(text) {
      let i = 0;
      while (i < text.length && test.test(text[i] as string)) i++;
      return { consumed: i, isDone: i < text.length };
    },
  };
}

function pemBody(): Continuation {
  let used = 0;
  return {
    next(text, isLast) {
      const end = PEM_END.exec(text);
      if (end !== null) return { consumed: end.index + end[0].length, isDone: true };
      const consumed = isLast ? text.length : Math.max(0, text.length - PEM_TAIL);
      used += consumed;
      return { consumed, isDone: isLast || used >= MAX_PEM_CHARS };
    },
  };
}

/** The rest of an open markdown URL, through its closing parenthesis. */
function restOfUrl(): Continuation {
  return {
    next(text) {
      let i = 0;
      while (i < text.length && !/[\s)]/.test(text[i] as string)) i++;
      if (text[i] === ')') return { consumed: i + 1, isDone: true };
      return { consumed: i, isDone: i < text.length };
    },
  };
}

/**
 * A credential whose known prefix runs to the end of the window: longer than the window, so
 * the full rule cannot match yet. Removed with everything that follows it. The `sk-` prefixes
 * are distinctive enough to count glued to a word (`xsk-proj-…`).
 */
const TRUNCATED_CREDENTIAL =
  /(?:sk-(?:proj|ant|svcacct|admin)-|(?<![A-Za-z0-9_-])(?:ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abposr]-|sk_live_|rk_live_|hf_|AKIA|ASIA|AIza|eyJ[A-Za-z0-9_-]{8,64}\.eyJ))[A-Za-z0-9_\-+/=.]{8,}$/;

/** The shortest truncated credential: a three-character prefix (`hf_`) and eight more. */
const MIN_TRUNCATED_CHARS = 11;

function isTokenCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x3d ||
    c === 0x2e
  );
}

/**
 * Start of a `TRUNCATED_CREDENTIAL` match, or -1. Every character of a match is a token
 * character, so it lies in the run of them that ends the window: the pattern runs on that run
 * only (usually a few letters of the last word, or nothing), not from every position of the
 * window. The character before the run is not a token character, so the look-behind sees the
 * same there as in the whole window.
 */
function truncatedCredential(window: string): number {
  let from = window.length;
  while (from > 0 && isTokenCode(window.charCodeAt(from - 1))) from--;
  if (window.length - from < MIN_TRUNCATED_CHARS) return -1;
  const m = TRUNCATED_CREDENTIAL.exec(window.slice(from));
  return m === null ? -1 : from + m.index;
}

function secrets(policy: GuardPolicy, window: string, out: Replacement[]): void {
  if (policy.config.output.secrets !== 'redact') return;
  if (window.indexOf('PRIVATE KEY') !== -1) {
    PEM_BEGIN.lastIndex = 0;
    for (let m = PEM_BEGIN.exec(window); m !== null; m = PEM_BEGIN.exec(window)) {
      const end = m.index + m[0].length;
      out.push({
        start: m.index,
        end,
        text: '[REDACTED:private-key]',
        continuation: pemBody(),
        tag: 'redact:private-key',
      });
    }
  }
  const truncated = truncatedCredential(window);
  if (truncated !== -1) {
    out.push({
      start: truncated,
      end: window.length,
      text: '[REDACTED:credential]',
      continuation: whileChars(TOKEN_CHAR),
      tag: 'redact:credential',
    });
  }
  // `find` runs the keyword pre-filter itself: asking `mayContainSecret` first scanned twice.
  for (const f of policy.secrets.find(window)) {
    if (f.ruleId === 'private-key') continue;
    out.push({
      start: f.start,
      end: f.end,
      text: `[REDACTED:${f.ruleId}]`,
      continuation: whileChars(TOKEN_CHAR),
      tag: `redact:${f.ruleId}`,
    });
  }
}

/**
 * The exact secret values the process holds (provider keys, resolved references), whatever
 * their format: a provider that echoes its own key in an answer is caught even when the key
 * matches no rule.
 */
function knownSecrets(policy: GuardPolicy, window: string, out: Replacement[]): void {
  if (policy.config.output.secrets !== 'redact') return;
  for (const m of scrubber.findKnown(window)) {
    out.push({
      start: m.start,
      end: m.end,
      text: '[REDACTED:credential]',
      continuation: whileChars(TOKEN_CHAR),
      tag: 'redact:credential',
    });
  }
}

function pii(policy: GuardPolicy, window: string, out: Replacement[]): void {
  const detector = policy.outputPii;
  if (detector === undefined) return;
  for (const f of detector.find(window)) {
    out.push({
      start: f.start,
      end: f.end,
      text: `[${f.type.toUpperCase()}]`,
      tag: `redact:${f.type}`,
    });
  }
}

function placeholders(vault: PseudonymVault | undefined, window: string, out: Replacement[]): void {
  if (vault === undefined || vault.size === 0 || window.indexOf('<') === -1) return;
  for (const m of window.matchAll(PLACEHOLDER_PATTERN)) {
    const original = vault.original(m[0]);
    if (original === undefined) continue;
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      text: original,
      tag: 'restore:placeholder',
    });
  }
}

function links(policy: GuardPolicy, window: string, out: Replacement[]): void {
  const o = policy.config.output;
  if (o.images === 'allow' && o.links === 'allow') return;
  for (const ref of findMarkdownRefs(window)) {
    const mode = ref.isImage ? o.images : o.links;
    if (mode === 'allow') continue;
    if (ref.host === '' || (ref.host !== undefined && isHostAllowed(ref.host, o.allowedHosts)))
      continue;
    const label = ref.label.replace(/[[\]]/g, '');
    out.push({
      start: ref.start,
      end: ref.end,
      text: ref.isImage ? `[image removed${label === '' ? '' : `: ${label}`}]` : label,
      ...(ref.isOpen ? { continuation: restOfUrl() } : {}),
      tag: ref.isImage ? 'neutralise:image' : 'neutralise:link',
    });
  }
}

/**
 * The output guard's scanner for one request: credentials (with PEM blocks), PII types the
 * policy redacts in output, markdown images/links to hosts not allowed, and placeholders to
 * restore. Earlier entries win when two overlap at the same start.
 */
export function createOutputScanner(
  policy: GuardPolicy,
  vault: PseudonymVault | undefined,
): WindowScanner {
  const restore = policy.config.output.restorePseudonyms ? vault : undefined;
  const openFrom = createOpenTail({ holdNames: policy.outputPii?.types.includes('name') ?? false });
  return Object.assign(scanOutputWindow, { openFrom });
  function scanOutputWindow(window: string): Replacement[] {
    const out: Replacement[] = [];
    knownSecrets(policy, window, out);
    secrets(policy, window, out);
    links(policy, window, out);
    placeholders(restore, window, out);
    pii(policy, window, out);
    if (out.length <= 1) return out;
    const order = new Map(out.map((r, i) => [r, i]));
    return out.sort((a, b) => a.start - b.start || (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
}

/** `text` as it must appear inside a JSON string literal. */
const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);

/**
 * The same scanner for tool-call arguments, which are JSON text: a restored original is
 * escaped for a JSON string (an original holding `"` or `\` must not end the string early).
 * Every other replacement is plain bracketed text, already safe in a string.
 */
export function createArgsScanner(
  policy: GuardPolicy,
  vault: PseudonymVault | undefined,
): WindowScanner {
  const scan = createOutputScanner(policy, vault);
  const scanArgsWindow = (window: string): Replacement[] =>
    scan(window).map((r) =>
      r.tag === 'restore:placeholder' ? { ...r, text: jsonEscape(r.text) } : r,
    );
  return scan.openFrom === undefined
    ? scanArgsWindow
    : Object.assign(scanArgsWindow, { openFrom: scan.openFrom });
}

export interface OutputScanners {
  readonly scan: WindowScanner;
  readonly argsScan: WindowScanner;
}

/** Per policy: the scanners when there is no pseudonym to restore (most requests). */
const unrestoring = new WeakMap<GuardPolicy, OutputScanners>();

/**
 * The output and arguments scanners for one request. They hold no state between calls, so
 * without a pseudonym to restore they are the same for every request of a policy, built once.
 */
export function outputScanners(
  policy: GuardPolicy,
  vault: PseudonymVault | undefined,
): OutputScanners {
  const restores = policy.config.output.restorePseudonyms && (vault?.size ?? 0) > 0;
  if (restores) {
    return { scan: createOutputScanner(policy, vault), argsScan: createArgsScanner(policy, vault) };
  }
  let scanners = unrestoring.get(policy);
  if (scanners === undefined) {
    scanners = {
      scan: createOutputScanner(policy, undefined),
      argsScan: createArgsScanner(policy, undefined),
    };
    unrestoring.set(policy, scanners);
  }
  return scanners;
}
