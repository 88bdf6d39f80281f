import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../src/detect/pii/index.js';
import { GIVEN, isGiven, isSurname, SURNAMES } from '../../src/detect/pii/names-lexicon.js';

/**
 * Person names (and the other PII types in the same rows) on the generated names corpus
 * (`scripts/gen-pii-names.js`): 26 languages in 9 scripts, names in prose, JSON, CSV, email
 * headers, banking text, chat and signatures, plus decoy rows. The rules were written from the
 * dev split; the floors hold on the test split, whose languages and template families are not
 * in dev. Exact spans count; a partial name is both a miss and a false positive.
 * Run alone to see the tables: `npx vitest run test/integration/pii-names.test.ts`.
 */

interface Row {
  lang: string;
  template: string;
  text: string;
  pii: { type: string; value: string }[];
  decoys: string[];
}
interface Score {
  tp: number;
  fp: number;
  fn: number;
}

const read = (split: string): Row[] =>
  readFileSync(new URL(`../fixtures/pii-names/${split}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);

const detector = createPiiDetector();
/** Whether any word of a name is in the detector's lexicons (the rest must come from cues). */
const inLexicon = (name: string) =>
  name
    .toLowerCase()
    .split(/[\s.]+/)
    .some((w) => w.length > 1 && (isGiven(w) || isSurname(w)));
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
const precision = (s: Score) => ratio(s.tp, s.tp + s.fp);
const recall = (s: Score) => ratio(s.tp, s.tp + s.fn);
const f1 = (s: Score) => {
  const p = precision(s);
  const r = recall(s);
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
};

function add(map: Map<string, Score>, key: string, d: Partial<Score>) {
  const s = map.get(key) ?? { tp: 0, fp: 0, fn: 0 };
  s.tp += d.tp ?? 0;
  s.fp += d.fp ?? 0;
  s.fn += d.fn ?? 0;
  map.set(key, s);
}

interface Result {
  byType: Map<string, Score>;
  namesByLang: Map<string, Score>;
  namesByTemplate: Map<string, Score>;
  misses: string[];
  decoyHits: string[];
}

function score(rows: Row[]): Result {
  const r: Result = {
    byType: new Map(),
    namesByLang: new Map(),
    namesByTemplate: new Map(),
    misses: [],
    decoyHits: [],
  };
  for (const row of rows) {
    const found = detector
      .find(row.text)
      .map((f) => ({ type: f.type, value: row.text.slice(f.start, f.end) }));
    const expected = [...row.pii];
    const tally = (type: string, d: Partial<Score>) => {
      add(r.byType, type, d);
      add(r.byType, 'all', d);
      if (type !== 'name') return;
      add(r.namesByLang, row.lang, d);
      add(r.namesByTemplate, row.template, d);
    };
    for (const f of found) {
      const at = expected.findIndex((e) => e.type === f.type && e.value === f.value);
      if (at === -1) {
        tally(f.type, { fp: 1 });
        r.misses.push(`FP ${row.lang}/${row.template} ${f.type}: ${f.value} | ${row.text}`);
      } else {
        tally(f.type, { tp: 1 });
        expected.splice(at, 1);
      }
    }
    for (const e of row.pii.filter((p) => p.type === 'name' && !inLexicon(p.value)))
      add(r.byType, 'name (no word in the lexicons)', {
        tp: expected.includes(e) ? 0 : 1,
        fn: expected.includes(e) ? 1 : 0,
      });
    for (const e of expected) {
      tally(e.type, { fn: 1 });
      r.misses.push(`FN ${row.lang}/${row.template} ${e.type}: ${e.value} | ${row.text}`);
    }
    for (const d of row.decoys)
      if (found.some((f) => f.value.includes(d))) r.decoyHits.push(`${d} | ${row.text}`);
  }
  return r;
}

function table(title: string, m: Map<string, Score>): string {
  const lines = [...m].map(
    ([k, s]) =>
      `${k.padEnd(16)} ${String(s.tp + s.fn).padStart(5)} ${precision(s).toFixed(3)} ${recall(s).toFixed(3)} ${f1(s).toFixed(3)}`,
  );
  return [`${title.padEnd(16)}     n  prec   rec    f1`, ...lines].join('\n');
}

function print(split: string, r: Result) {
  console.log(
    [
      `== ${split}`,
      table('type', r.byType),
      table('names/lang', r.namesByLang),
      table('names/template', r.namesByTemplate),
      ...(process.env.PII_NAMES_MISSES === '1' ? r.misses : []),
    ].join('\n'),
  );
}

describe('person names on the generated multilingual corpus', () => {
  const dev = score(read('dev'));
  const test = score(read('test'));
  print('dev', dev);
  print('test', test);
  print('holdout (formats written after tuning; reported, not asserted)', score(read('holdout')));

  it('holds name recall >= 0.90 at precision >= 0.97 on the unseen test split', () => {
    const names = test.byType.get('name') as Score;
    expect(names.tp + names.fn).toBeGreaterThanOrEqual(1_000);
    expect({ precision: precision(names), recall: recall(names) }).toEqual({
      precision: expect.toSatisfy((p: number) => p >= 0.97) as number,
      recall: expect.toSatisfy((v: number) => v >= 0.9) as number,
    });
  });

  it('keeps overall PII F1 on the test split at 0.95 or more', () => {
    expect(f1(test.byType.get('all') as Score)).toBeGreaterThanOrEqual(0.95);
  });

  it('leaves decoys (places, months, products, versions, headings) untouched', () => {
    expect([...dev.decoyHits, ...test.decoyHits]).toEqual([]);
  });

  it('keeps the name lexicons far below 10 MiB', () => {
    // A proxy for heap: UTF-16 characters plus a generous 80 bytes of set and string overhead
    // per entry (measured with --expose-gc: 1.7 MiB for the whole PII detector, 2.6 MiB with
    // its per-word memo full).
    const bytes = [...GIVEN, ...SURNAMES].reduce((n, w) => n + 2 * w.length + 80, 0);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
  });
});
