import { foldForMatching } from '../text/fold.js';
import { deobfuscate } from './features.js';
import {
  calibrate,
  loadInjectionModel,
  maxMargin,
  ruleMargin,
  type InjectionModel,
} from './model.js';
import type { InjectionCategory, InjectionRule } from './rules.js';
import { createRuleScanner } from './rules-scan.js';

export interface InjectionResult {
  /** 0..1; 0 when nothing was seen. */
  readonly score: number;
  /** The learned model's calibrated probability alone (before the high-precision rules). */
  readonly modelScore: number;
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
  /** A loaded model; by default the one in models/ (read once per process). */
  readonly model?: InjectionModel;
}

const NONE: InjectionResult = { score: 0, modelScore: 0, categories: [], rules: [] };

/**
 * Rules whose hits are rare in ordinary text (chat-template tokens, hidden characters, text
 * decoded from an encoded run): they raise the score on their own. Every other rule is one
 * feature of the model, which weighs it against the rest of the text.
 */
function isHighPrecision(rule: string): boolean {
  return (
    rule === 'chat-template-token' || rule === 'invisible-characters' || rule.startsWith('encoded-')
  );
}

/**
 * The other rules count at this share of their weight: a classic phrase ("ignore all previous
 * instructions") still flags on its own when the model is unsure, while a lone rule hit in
 * text the model finds ordinary ("ignore my previous message") stays under 0.5.
 */
const RULE_SHARE = 0.5;

/** Score at which the model alone names its category (`learned`). */
const LEARNED_AT = 0.5;

/**
 * Screens text for prompt injection: a learned score (logistic regression over hashed word
 * and character n-grams of the folded, de-obfuscated text, the rule categories as extra
 * features, highest window wins), also over text hidden in invisible characters or encoded
 * runs, combined with the rules as 1 − (1 − p)·Π(1 − w) (high-precision rules at full weight,
 * the others at RULE_SHARE of it).
 */
export function createInjectionDetector(opts: InjectionDetectorOptions = {}): InjectionDetector {
  const rules = createRuleScanner(opts);
  const model = opts.model ?? loadInjectionModel();
  return {
    scan(text: string): InjectionResult {
      if (text.length < 4) return NONE;
      const seen = rules.scan(text);
      const extra = ruleMargin(model, seen.categories);
      let margin = maxMargin(model, deobfuscate(seen.folded), extra);
      for (const hidden of seen.hidden) {
        margin = Math.max(margin, maxMargin(model, deobfuscate(foldForMatching(hidden)), extra));
      }
      const modelScore = calibrate(model, margin);
      let keep = 1 - modelScore;
      for (const [id, w] of seen.weights) keep *= 1 - (isHighPrecision(id) ? w : w * RULE_SHARE);
      const categories: InjectionCategory[] = [...seen.categories];
      if (modelScore >= LEARNED_AT) categories.push('learned');
      return {
        score: Math.round((1 - keep) * 1000) / 1000,
        modelScore: Math.round(modelScore * 1000) / 1000,
        categories,
        rules: [...seen.weights.keys()],
      };
    },
  };
}
