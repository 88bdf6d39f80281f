import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createInjectionDetector } from '../../src/detect/injection/index.js';
import { BUILTIN_PII_TYPES, createPiiDetector } from '../../src/detect/pii/index.js';
import { createSecretDetector } from '../../src/detect/secrets/index.js';

/**
 * Precision and recall of every guard detector on our own corpus (positives and hard
 * negatives), printed as a table; the floors below fail the run when a change regresses.
 * Run alone: `npx vitest run test/integration/guard-corpus.test.ts`.
 */

interface PiiRow {
  text: string;
  pii: { type: string; value: string }[];
  /** `holdout`: written after the detectors were tuned, reported separately. */
  set?: 'holdout';
}
interface InjectionRow {
  text: string;
  isInjection: boolean;
  set?: 'holdout';
}

const readJsonl = <T>(name: string): T[] =>
  readFileSync(new URL(`../fixtures/guard-corpus/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

interface Score {
  tp: number;
  fp: number;
  fn: number;
}
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
const precision = (s: Score) => ratio(s.tp, s.tp + s.fp);
const recall = (s: Score) => ratio(s.tp, s.tp + s.fn);

const table: string[] = [];
function report(name: string, s: Score) {
  table.push(
    `${name.padEnd(22)} ${String(s.tp + s.fn).padStart(5)} ${String(s.tp).padStart(5)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)}   ${precision(s).toFixed(3)}    ${recall(s).toFixed(3)}`,
  );
}

/** Per detector: [precision floor, recall floor]. */
const FLOORS: Record<string, [number, number]> = {
  email: [0.95, 0.95],
  phone: [0.9, 0.9],
  card: [0.9, 0.95],
  iban: [0.95, 0.95],
  ssn: [0.9, 0.9],
  ip: [0.9, 0.9],
  name: [0.85, 0.8],
  secrets: [0.95, 0.95],
  injection: [0.9, 0.85],
};

function alnum(n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
}

/** Credentials are made up at run time so the repository never holds key-shaped strings. */
function secretCases(): { text: string; secret: string | undefined }[] {
  const keys = [
    `sk-proj-${alnum(48)}T3BlbkFJ${alnum(48)}`,
    `sk-ant-api03-${alnum(93)}-${alnum(6)}AA`,
    `AKIA${alnum(16)
      .toUpperCase()
      .replace(/[^A-Z2-7]/g, 'Q')}`,
    `ghp_${alnum(36)}`,
    `glpat-${alnum(20)}`,
    `xoxb-${randomBytes(6).readUIntBE(0, 6)}-${randomBytes(6).readUIntBE(0, 6)}-${alnum(24)}`,
    `sk_live_${alnum(24)}`,
    `hf_${alnum(34)}`,
    `AIza${alnum(35)}`,
  ];
  const templates = [
    (k: string) => `Why does this fail? const client = new Client("${k}");`,
    (k: string) => `my key is ${k} please debug`,
    (k: string) => `export TOKEN=${k}\nnpm run deploy`,
  ];
  const positives = keys.map((k, i) => ({
    text: (templates[i % 3] as (k: string) => string)(k),
    secret: k,
  }));
  const negatives = [
    'Set OPENAI_API_KEY=your-key-here in .env',
    'The key format is sk-proj-... followed by random characters',
    'Use process.env.GITHUB_TOKEN in the workflow',
    'password = "changeme" is a placeholder in the docs',
    'commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it',
    'The UUID is 550e8400-e29b-41d4-a716-446655440000',
    'api_key: ${{ secrets.API_KEY }}',
    'token = getToken()',
  ].map((text) => ({ text, secret: undefined }));
  return [...positives, ...negatives];
}

function scorePii(rows: PiiRow[], misses: string[]): Map<string, Score> {
  const pii = createPiiDetector();
  const scores = new Map<string, Score>(BUILTIN_PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  for (const row of rows) {
    const found = pii
      .find(row.text)
      .map((f) => ({ type: f.type, value: row.text.slice(f.start, f.end) }));
    const expected = [...row.pii];
    for (const f of found) {
      const s = scores.get(f.type) as Score;
      const at = expected.findIndex((e) => e.type === f.type && e.value === f.value);
      if (at === -1) {
        s.fp++;
        misses.push(`FP ${f.type}: ${JSON.stringify(f.value)} in ${JSON.stringify(row.text)}`);
      } else {
        s.tp++;
        expected.splice(at, 1);
      }
    }
    for (const e of expected) {
      (scores.get(e.type) as Score).fn++;
      misses.push(`FN ${e.type}: ${JSON.stringify(e.value)} in ${JSON.stringify(row.text)}`);
    }
  }
  return scores;
}

function scoreInjection(rows: InjectionRow[], misses: string[]): Score {
  const injection = createInjectionDetector();
  const score: Score = { tp: 0, fp: 0, fn: 0 };
  for (const row of rows) {
    const isFlagged = injection.scan(row.text).score >= 0.5;
    if (isFlagged && row.isInjection) score.tp++;
    else if (isFlagged) {
      score.fp++;
      misses.push(`FP injection: ${JSON.stringify(row.text)}`);
    } else if (row.isInjection) {
      score.fn++;
      misses.push(`FN injection: ${JSON.stringify(row.text)}`);
    }
  }
  return score;
}

function scoreSecrets(misses: string[]): Score {
  const secrets = createSecretDetector();
  const score: Score = { tp: 0, fp: 0, fn: 0 };
  for (const c of secretCases()) {
    const found = secrets.find(c.text).map((f) => c.text.slice(f.start, f.end));
    if (c.secret === undefined) score.fp += found.length;
    else if (found.includes(c.secret)) {
      score.tp++;
      score.fp += found.length - 1;
    } else {
      score.fn++;
      misses.push(`FN secret: ${c.secret.slice(0, 8)}… found ${found.length}`);
    }
  }
  return score;
}

describe('guard detectors: precision and recall on the corpus', () => {
  it('meets the floors per detector (table printed)', () => {
    const piiRows = readJsonl<PiiRow>('pii.jsonl');
    const injRows = readJsonl<InjectionRow>('injection.jsonl');
    const misses: string[] = [];
    const all = new Map<string, Score>([
      ...scorePii(piiRows, misses),
      ['secrets', scoreSecrets(misses)],
      ['injection', scoreInjection(injRows, misses)],
    ]);
    const ignored: string[] = [];
    const holdout = new Map<string, Score>([
      ...scorePii(
        piiRows.filter((r) => r.set === 'holdout'),
        ignored,
      ),
      [
        'injection',
        scoreInjection(
          injRows.filter((r) => r.set === 'holdout'),
          ignored,
        ),
      ],
    ]);

    table.push('detector               cases    tp    fp    fn   precision recall');
    for (const [name, s] of all) report(name, s);
    table.push('', 'held-out subset (written after tuning, never tuned against):');
    for (const [name, s] of holdout) report(name, s);
    console.log(`${table.join('\n')}\n\nmisses:\n${misses.join('\n')}`);

    for (const [name, s] of all) {
      const [p, r] = FLOORS[name] as [number, number];
      expect({ name, precision: precision(s) >= p, recall: recall(s) >= r }).toEqual({
        name,
        precision: true,
        recall: true,
      });
    }
  });
});
