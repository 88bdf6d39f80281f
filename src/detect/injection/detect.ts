import { foldForMatching } from '../text/fold.js';
import { decodeHiddenText, findInvisible } from '../text/invisible.js';
import { decodePayloads, rot13 } from './decode.js';
import { INJECTION_RULES, type InjectionCategory, type InjectionRule } from './rules.js';
import { INTL_INJECTION_RULES } from './rules-intl.js';

export interface InjectionResult {
  /** 0..1; 0 when nothing was seen. */
  readonly score: number;
  readonly categories: readonly InjectionCategory[];
  /** Rule ids that matched (stable, for audit and tuning). */
  readonly rules: readonly string[];
}

export interface InjectionDetector {
  scan(text: string): InjectionResult;
}

export interface InjectionDetectorOptions {
  /** Rules to add (e.g. site-specific phrasings); same bounds as the built-ins. */
  readonly extraRules?: readonly InjectionRule[];
  readonly disabledRules?: readonly string[];
}

/** How deep decoded payloads are rescanned (base64 inside base64 is caught, deeper is not). */
const MAX_DEPTH = 2;
const NONE: InjectionResult = { score: 0, categories: [], rules: [] };

interface Hits {
  weights: Map<string, number>;
  categories: Set<InjectionCategory>;
}

/**
 * Screens text for prompt injection: phrase rules (with a keyword pre-filter) over a folded
 * form of the text, then over whatever is hidden in invisible characters and encoded runs
 * (decoded, bounded), and over its ROT13. Returns a score and the categories seen.
 */
export function createInjectionDetector(opts: InjectionDetectorOptions = {}): InjectionDetector {
  const disabled = new Set(opts.disabledRules ?? []);
  const rules = [...INJECTION_RULES, ...INTL_INJECTION_RULES, ...(opts.extraRules ?? [])].filter(
    (rule) => !disabled.has(rule.id),
  );
  const keywords = [...new Set(rules.flatMap((rule) => rule.keywords))];

  function match(folded: string, hits: Hits, asCategory?: InjectionCategory): void {
    const present = new Set<string>();
    for (const k of keywords) if (folded.includes(k)) present.add(k);
    if (present.size === 0) return;
    for (const rule of rules) {
      if (hits.weights.has(rule.id) || !rule.keywords.some((k) => present.has(k))) continue;
      if (!rule.pattern.test(folded)) continue;
      hits.weights.set(rule.id, rule.weight);
      hits.categories.add(rule.category);
      if (asCategory !== undefined) hits.categories.add(asCategory);
    }
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
    if (hidden.length > 0) match(foldForMatching(hidden), hits, 'invisible_smuggling');
  }

  function scanDecoded(text: string, hits: Hits, depth: number): void {
    for (const payload of decodePayloads(text)) {
      const before = hits.weights.size;
      match(foldForMatching(payload), hits, 'encoded_payload');
      if (hits.weights.size > before) hits.weights.set(`encoded-${depth}`, 0.2);
      if (depth < MAX_DEPTH) scanDecoded(payload, hits, depth + 1);
    }
  }

  return {
    scan(text: string): InjectionResult {
      if (text.length < 4) return NONE;
      const hits: Hits = { weights: new Map(), categories: new Set() };
      const folded = foldForMatching(text);
      match(folded, hits);
      scanHidden(text, hits);
      scanDecoded(text, hits, 1);
      const before = hits.weights.size;
      match(rot13(folded), hits, 'encoded_payload');
      if (hits.weights.size > before) hits.weights.set('encoded-rot13', 0.2);
      if (hits.weights.size === 0) return NONE;
      let keep = 1;
      for (const w of hits.weights.values()) keep *= 1 - w;
      return {
        score: Math.round((1 - keep) * 1000) / 1000,
        categories: [...hits.categories],
        rules: [...hits.weights.keys()],
      };
    },
  };
}
