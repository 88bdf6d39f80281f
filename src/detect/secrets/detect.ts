import { shannonEntropy } from './entropy.js';
import { createKeywordAutomaton } from './keyword-automaton.js';
import { fingerprintSecret, maskSecret } from './mask.js';
import { checkLinearPattern } from './pattern-check.js';
import type { CompanionRule, RuleMatch, SecretRule } from './rule.js';
import { defaultSecretRules } from './rules.js';
import { isPlaceholder } from './validators.js';

/** One secret in a text. Carries offsets and a masked preview, never the secret itself. */
export interface SecretFinding {
  readonly ruleId: string;
  /** Offsets of the secret in the scanned text (UTF-16 code units, end exclusive). */
  readonly start: number;
  readonly end: number;
  /** Stable hash of rule id and secret; safe to store in allow-lists and baselines. */
  readonly fingerprint: string;
  /** `maskSecret` of the secret: enough to recognise it, never enough to use it. */
  readonly preview: string;
}

export interface SecretDetectorOptions {
  /** Rule set; defaults to `defaultSecretRules`. */
  readonly rules?: readonly SecretRule[];
  readonly disabledRules?: readonly string[];
  /** When set, fingerprints are HMACs under this key instead of plain SHA-256. */
  readonly fingerprintKey?: string | Uint8Array;
  /** Stop after this many findings in one text (bounds work on hostile input). */
  readonly maxFindings?: number;
  /**
   * Report candidates that look like placeholders (`sk-your-key-here`) too: a redactor masks
   * them, where a scanner would only add noise.
   */
  readonly keepsPlaceholders?: boolean;
}

/** Running totals of the work done, for tests that assert linear behaviour. */
export interface DetectorWork {
  /** Characters passed through the literal keyword pre-filter. */
  prefilterChars: number;
  /** Whole-text regex scans started (one per rule whose keyword matched). */
  regexScans: number;
  /** Regex matches examined by the validators. */
  candidates: number;
  /** Characters of candidates examined by entropy and validators. */
  validatedChars: number;
}

export interface SecretDetector {
  readonly rules: readonly SecretRule[];
  /**
   * Characters around a secret the detector may need to see: the longest match, or a
   * companion window. Streaming callers overlap their chunks by at least this much.
   */
  readonly contextChars: number;
  readonly work: DetectorWork;
  /** True when some rule's keyword occurs: a cheap test before `find`. */
  mayContainSecret(text: string): boolean;
  /** Findings ordered by offset; overlapping findings resolved in rule order. */
  find(text: string): SecretFinding[];
  /** `text` with each secret replaced by `[REDACTED:<ruleId>]` (or by `replacement`). */
  mask(
    text: string,
    findings?: readonly SecretFinding[],
    replacement?: (finding: SecretFinding) => string,
  ): string;
}

interface Ranked {
  finding: SecretFinding;
  priority: number;
}

/** Placeholder words are only meaningful in short values; long random bodies hit them by chance. */
const PLACEHOLDER_CHECK_MAX = 100;

function spanOf(m: RegExpExecArray): [number, number] {
  return m.indices?.groups?.secret ?? m.indices?.[0] ?? [m.index, m.index + m[0].length];
}

function matchOf(m: RegExpExecArray, text: string, offset: number): RuleMatch {
  const [start, end] = spanOf(m);
  return {
    secret: m.groups?.secret ?? m[0],
    text,
    matchStart: m.index + offset,
    start: start + offset,
    end: end + offset,
    groups: m.groups ?? {},
  };
}

function buildKeywordIndex(rules: readonly SecretRule[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    for (const keyword of rule.keywords) {
      const lower = keyword.toLowerCase();
      const list = index.get(lower) ?? [];
      list.push(i);
      index.set(lower, list);
    }
  });
  return index;
}

interface PatternLengths {
  /** Characters around a secret the detector may need; see `SecretDetector.contextChars`. */
  contextChars: number;
  companionMatch: Map<CompanionRule, number>;
}

/** Checks every pattern (throws on an unsafe one) and measures the longest matches. */
function measurePatterns(rules: readonly SecretRule[]): PatternLengths {
  let contextChars = 0;
  const companionMatch = new Map<CompanionRule, number>();
  for (const rule of rules) {
    contextChars = Math.max(contextChars, checkLinearPattern(rule.pattern).maxMatchLength);
    if (rule.companion === undefined) continue;
    const c = rule.companion;
    const length = checkLinearPattern(c.pattern).maxMatchLength;
    companionMatch.set(c, length);
    contextChars = Math.max(contextChars, 2 * c.windowChars + length);
  }
  return { contextChars, companionMatch };
}

function resolveOverlaps(ranked: Ranked[]): SecretFinding[] {
  ranked.sort((a, b) => a.finding.start - b.finding.start || a.priority - b.priority);
  const kept: Ranked[] = [];
  for (const r of ranked) {
    const last = kept[kept.length - 1];
    if (last === undefined || r.finding.start >= last.finding.end) kept.push(r);
    else if (r.priority < last.priority) kept[kept.length - 1] = r;
  }
  return kept.map((r) => r.finding);
}

/**
 * Builds a detector: validates every rule pattern (bounded repetition only), indexes the
 * keywords, and returns a `find` that does a literal pre-filter, then runs only the rules
 * whose keywords occur. Safe to share; `find` is synchronous and keeps no per-call state.
 */
export function createSecretDetector(opts: SecretDetectorOptions = {}): SecretDetector {
  // Long by design: the compile step and `find` share the compiled rule tables, built once here.
  const disabled = new Set(opts.disabledRules ?? []);
  const rules = (opts.rules ?? defaultSecretRules).filter((r) => !disabled.has(r.id));
  const { contextChars, companionMatch } = measurePatterns(rules);
  const index = buildKeywordIndex(rules);
  const keywords = [...index.keys()];
  const keywordRules = keywords.map((k) => index.get(k) ?? []);
  const automaton = createKeywordAutomaton(keywords);
  const priorityOf = new Map(rules.map((r, i) => [r.id, i]));
  const triggered = new Uint8Array(rules.length);
  const maxFindings = opts.maxFindings ?? Number.POSITIVE_INFINITY;
  const work: DetectorWork = { prefilterChars: 0, regexScans: 0, candidates: 0, validatedChars: 0 };

  function accept(
    m: RuleMatch,
    minEntropy: number | undefined,
    rule?: SecretRule,
  ): string | undefined {
    work.candidates++;
    const normalized = rule?.normalize?.(m.secret) ?? m.secret;
    work.validatedChars += normalized.length;
    if (
      opts.keepsPlaceholders !== true &&
      normalized.length <= PLACEHOLDER_CHECK_MAX &&
      isPlaceholder(normalized)
    )
      return undefined;
    if (minEntropy !== undefined && shannonEntropy(normalized) < minEntropy) return undefined;
    return normalized;
  }

  function record(out: Ranked[], ruleId: string, m: RuleMatch, normalized: string): SecretFinding {
    const finding: SecretFinding = {
      ruleId,
      start: m.start,
      end: m.end,
      fingerprint: fingerprintSecret(ruleId, normalized, opts.fingerprintKey),
      preview: maskSecret(normalized),
    };
    out.push({ finding, priority: priorityOf.get(ruleId) ?? rules.length });
    return finding;
  }

  /** End of the last companion window in this text: windows never rescan it (linear work). */
  let companionScannedTo = 0;

  function scanCompanion(c: CompanionRule, text: string, near: SecretFinding, out: Ranked[]): void {
    // Back off by one match length so a token cut by the previous window is seen whole.
    const resume = companionScannedTo - (companionMatch.get(c) ?? 0);
    const from = Math.max(0, near.start - c.windowChars, resume);
    const to = Math.min(text.length, near.end + c.windowChars);
    if (to <= from) return;
    companionScannedTo = to;
    const window = text.slice(from, to);
    const re = c.pattern;
    re.lastIndex = 0;
    work.regexScans++;
    for (let m = re.exec(window); m !== null; m = re.exec(window)) {
      const rm = matchOf(m, text, from);
      if (rm.start < near.end && rm.end > near.start) continue;
      const normalized = accept(rm, c.minEntropy);
      if (normalized !== undefined && (c.validate?.(rm) ?? true))
        record(out, c.ruleId, rm, normalized);
    }
  }

  function scanRule(rule: SecretRule, text: string, out: Ranked[]): void {
    const re = rule.pattern;
    re.lastIndex = 0;
    work.regexScans++;
    for (let m = re.exec(text); m !== null && out.length < maxFindings; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const rm = matchOf(m, text, 0);
      const normalized = accept(rm, rule.minEntropy, rule);
      if (normalized === undefined || !(rule.validate?.(rm) ?? true)) continue;
      const finding = record(out, rule.id, rm, normalized);
      if (rule.companion !== undefined) scanCompanion(rule.companion, text, finding, out);
    }
  }

  function markTriggered(text: string): boolean {
    triggered.fill(0);
    let count = 0;
    work.prefilterChars += automaton.scan(text, (k) => {
      for (const r of keywordRules[k] ?? []) {
        if (triggered[r] === 0) count++;
        triggered[r] = 1;
      }
      return count === rules.length;
    });
    return count > 0;
  }

  function find(text: string): SecretFinding[] {
    if (text.length < 8 || !markTriggered(text)) return [];
    companionScannedTo = 0;
    const out: Ranked[] = [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      if (triggered[r] === 1 && rule !== undefined) scanRule(rule, text, out);
    }
    return resolveOverlaps(out);
  }

  return {
    rules,
    contextChars,
    work,
    mayContainSecret: (text) => text.length >= 8 && markTriggered(text),
    find,
    mask(text, findings = find(text), replacement = (f) => `[REDACTED:${f.ruleId}]`) {
      let out = '';
      let at = 0;
      for (const f of findings) {
        out += text.slice(at, f.start) + replacement(f);
        at = f.end;
      }
      return out + text.slice(at);
    },
  };
}
