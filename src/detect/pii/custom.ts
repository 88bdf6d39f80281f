import { checkLinearPattern } from '../secrets/index.js';
import type { PiiFinding, PiiScan } from './types.js';

/** A custom PII rule from config: a pattern, a word list, or both. */
export interface CustomPiiRule {
  /** Lower-snake name; the type reported and the placeholder stem (`<EMPLOYEE_ID_1>`). */
  readonly name: string;
  /** Regular expression source; must pass the linear-time check (bounded repetition only). */
  readonly pattern?: string;
  readonly caseInsensitive?: boolean;
  /** Words or phrases matched case-insensitively on word boundaries. */
  readonly words?: readonly string[];
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const MAX_PHRASE_WORDS = 8;

function compilePattern(rule: CustomPiiRule, source: string): PiiScan {
  const re = new RegExp(source, `g${rule.caseInsensitive === true ? 'i' : ''}u`);
  checkLinearPattern(re);
  return (text, out) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      out.push({ type: rule.name, start: m.index, end: m.index + m[0].length });
    }
  };
}

/**
 * Word lists: every phrase is looked up by its first word in a map, so the scan is one pass
 * over the words of the text with at most MAX_PHRASE_WORDS comparisons per word.
 */
function compileWords(rule: CustomPiiRule, words: readonly string[]): PiiScan {
  const byFirst = new Map<string, string[][]>();
  for (const phrase of words) {
    const parts = phrase.toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_PHRASE_WORDS);
    const first = parts[0];
    if (first === undefined) continue;
    const list = byFirst.get(first) ?? [];
    list.push(parts);
    byFirst.set(first, list);
  }
  const wordRe = /[\p{L}\p{N}_][\p{L}\p{N}_'’.-]{0,63}/gu;
  return (text, out) => {
    const tokens: { start: number; end: number; lower: string }[] = [];
    wordRe.lastIndex = 0;
    for (let m = wordRe.exec(text); m !== null; m = wordRe.exec(text)) {
      let w = m[0];
      while (w.length > 1 && !WORD_CHAR.test(w[w.length - 1] as string)) w = w.slice(0, -1);
      tokens.push({ start: m.index, end: m.index + w.length, lower: w.toLowerCase() });
    }
    for (let i = 0; i < tokens.length; i++) {
      const candidates = byFirst.get((tokens[i] as { lower: string }).lower);
      if (candidates === undefined) continue;
      let best = -1;
      for (const parts of candidates) {
        if (parts.every((p, k) => tokens[i + k]?.lower === p))
          best = Math.max(best, i + parts.length - 1);
      }
      if (best === -1) continue;
      out.push({
        type: rule.name,
        start: (tokens[i] as { start: number }).start,
        end: (tokens[best] as { end: number }).end,
      });
      i = best;
    }
  };
}

/** Compiles a custom rule once; throws on an unsafe pattern (reported at config load). */
export function compileCustomRule(rule: CustomPiiRule): PiiScan {
  const scans: PiiScan[] = [];
  if (rule.pattern !== undefined) scans.push(compilePattern(rule, rule.pattern));
  if (rule.words !== undefined && rule.words.length > 0) scans.push(compileWords(rule, rule.words));
  return (text: string, out: PiiFinding[]) => {
    for (const scan of scans) scan(text, out);
  };
}
