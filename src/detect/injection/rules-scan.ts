import { foldForMatching } from '../text/fold.js';
import { decodeHiddenText, findInvisible } from '../text/invisible.js';
import { decodePayloads, rot13 } from './decode.js';
import { INJECTION_RULES, type InjectionCategory, type InjectionRule } from './rules.js';
import { INTL_INJECTION_RULES } from './rules-intl.js';

/** What the phrase rules saw, and the hidden or decoded texts worth scoring again. */
export interface RuleScan {
  /** The folded form of the text (foldForMatching). */
  readonly folded: string;
  /** Rule id (or signal: invisible-characters, encoded-N) to its weight. */
  readonly weights: ReadonlyMap<string, number>;
  readonly categories: ReadonlySet<InjectionCategory>;
  /** Text hidden in invisible characters, decoded payloads and ROT13, for the model. */
  readonly hidden: readonly string[];
}

export interface RuleScanner {
  scan(text: string): RuleScan;
}

export interface RuleScannerOptions {
  /** Rules to add (e.g. site-specific phrasings); same bounds as the built-ins. */
  readonly extraRules?: readonly InjectionRule[];
  readonly disabledRules?: readonly string[];
}

/** How deep decoded payloads are rescanned (base64 inside base64 is caught, deeper is not). */
const MAX_DEPTH = 2;

interface Hits {
  weights: Map<string, number>;
  categories: Set<InjectionCategory>;
  hidden: string[];
}

/** Keyword index: whole ASCII words (with simple plural variants) and other literals. */
interface KeywordIndex {
  words: Map<string, number[]>;
  /** ROT13 of the English words: a hit means the ROT13 pass is worth running. */
  rot13Words: Set<string>;
  literals: [string, number[], boolean][];
}

const ASCII_WORD = /^[a-z0-9']+$/;
const TOKEN = /[a-z0-9']+/g;

function indexKeywords(rules: readonly InjectionRule[]): KeywordIndex {
  const index: KeywordIndex = { words: new Map(), rot13Words: new Set(), literals: [] };
  const literals = new Map<string, number[]>();
  const addWord = (word: string, r: number) => {
    for (const w of [word, `${word}s`, word.endsWith('s') ? word.slice(0, -1) : word]) {
      const list = index.words.get(w) ?? [];
      if (!list.includes(r)) list.push(r);
      index.words.set(w, list);
    }
    if (word.length >= 5) index.rot13Words.add(rot13(word));
  };
  rules.forEach((rule, r) => {
    for (const k of rule.keywords) {
      const parts = k.split(/[\s-]+/).filter(Boolean);
      if (parts.every((p) => ASCII_WORD.test(p))) {
        addWord(
          parts.reduce((a, b) => (b.length > a.length ? b : a)),
          r,
        );
      } else {
        const list = literals.get(k) ?? [];
        list.push(r);
        literals.set(k, list);
      }
    }
  });
  for (const [k, list] of literals) index.literals.push([k, list, hasNonAscii(k)]);
  return index;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/**
 * Phrase rules (with a keyword pre-filter) over a folded form of the text, then over whatever
 * is hidden in invisible characters and encoded runs (decoded, bounded), and over its ROT13
 * when ROT13 forms of the keywords occur. Returns the rules that matched and the hidden texts.
 */
export function createRuleScanner(opts: RuleScannerOptions = {}): RuleScanner {
  const disabled = new Set(opts.disabledRules ?? []);
  const rules = [...INJECTION_RULES, ...INTL_INJECTION_RULES, ...(opts.extraRules ?? [])].filter(
    (rule) => !disabled.has(rule.id),
  );
  const index = indexKeywords(rules);
  const triggered = new Uint8Array(rules.length);

  /** Marks the rules whose keywords occur; true when the ROT13 pass is worth running. */
  function prefilter(folded: string): boolean {
    triggered.fill(0);
    let isRot13 = false;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(folded); m !== null; m = TOKEN.exec(folded)) {
      const list = index.words.get(m[0]);
      if (list !== undefined) for (const r of list) triggered[r] = 1;
      else if (m[0].length >= 5 && index.rot13Words.has(m[0])) isRot13 = true;
    }
    const isAscii = !hasNonAscii(folded);
    for (const [k, list, isNonAscii] of index.literals) {
      if (isNonAscii && isAscii) continue;
      if (folded.includes(k)) for (const r of list) triggered[r] = 1;
    }
    return isRot13;
  }

  function match(folded: string, hits: Hits, asCategory?: InjectionCategory): boolean {
    const isRot13 = prefilter(folded);
    rules.forEach((rule, r) => {
      if (triggered[r] === 0 || hits.weights.has(rule.id) || !rule.pattern.test(folded)) return;
      hits.weights.set(rule.id, rule.weight);
      hits.categories.add(rule.category);
      if (asCategory !== undefined) hits.categories.add(asCategory);
    });
    return isRot13;
  }

  function scanHidden(text: string, hits: Hits): void {
    const report = findInvisible(text);
    if (report.count === 0) return;
    const hidden = decodeHiddenText(text);
    const kinds = new Set(report.kinds);
    let weight = 0;
    if (kinds.has('tag') || hidden.length > 0) weight = 0.5;
    else if (kinds.has('bidi')) weight = 0.5;
    else if (report.count >= 3) weight = 0.25;
    if (weight > 0) {
      hits.weights.set('invisible-characters', weight);
      hits.categories.add('invisible_smuggling');
    }
    if (hidden.length > 0) {
      hits.hidden.push(hidden);
      match(foldForMatching(hidden), hits, 'invisible_smuggling');
    }
  }

  function scanDecoded(text: string, hits: Hits, depth: number): void {
    for (const payload of decodePayloads(text)) {
      hits.hidden.push(payload);
      const before = hits.weights.size;
      match(foldForMatching(payload), hits, 'encoded_payload');
      if (hits.weights.size > before) hits.weights.set(`encoded-${depth}`, 0.2);
      if (depth < MAX_DEPTH) scanDecoded(payload, hits, depth + 1);
    }
  }

  return {
    scan(text: string): RuleScan {
      const hits: Hits = { weights: new Map(), categories: new Set(), hidden: [] };
      const folded = foldForMatching(text);
      if (text.length < 4) return { folded, ...hits };
      const isRot13 = match(folded, hits);
      scanHidden(text, hits);
      scanDecoded(text, hits, 1);
      if (isRot13) {
        const before = hits.weights.size;
        const decoded = rot13(folded);
        hits.hidden.push(decoded);
        match(decoded, hits, 'encoded_payload');
        if (hits.weights.size > before) hits.weights.set('encoded-rot13', 0.2);
      }
      return { folded, ...hits };
    },
  };
}
