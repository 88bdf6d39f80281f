import { foldForMatching } from '../text/fold.js';
import { decodeHiddenText, findInvisible } from '../text/invisible.js';
import { decodePayloads, rot13 } from './decode.js';
import { createKeywordIndex } from './keyword-index.js';
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
  const index = createKeywordIndex(rules);
  const triggered = new Uint8Array(rules.length);

  function match(folded: string, hits: Hits, asCategory?: InjectionCategory): boolean {
    const isRot13 = index.mark(folded, triggered);
    // A plain loop, in rule order (the weights' order is the score's product order).
    for (let r = 0; r < rules.length; r++) {
      if (triggered[r] === 0) continue;
      const rule = rules[r] as InjectionRule;
      if (hits.weights.has(rule.id) || !rule.pattern.test(folded)) continue;
      hits.weights.set(rule.id, rule.weight);
      hits.categories.add(rule.category);
      if (asCategory !== undefined) hits.categories.add(asCategory);
    }
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
      const seen = {
        folded,
        weights: hits.weights,
        categories: hits.categories,
        hidden: hits.hidden,
      };
      if (text.length < 4) return seen;
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
      return seen;
    },
  };
}
