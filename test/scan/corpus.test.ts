import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScan, silentProgress, type ScanFinding } from '../../src/scan/index.js';
import { systemClock } from '../../src/util/clock.js';
import { createDecoys, createFakeKeys, ruleOf } from '../fixtures/scan-corpus/fake-keys.js';

const corpusDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/scan-corpus');
const MARKER = /⟪(?:decoy:([a-z0-9-]+)|([a-z0-9-]+)(:json)?(?:=([a-z0-9-]+))?)⟫/g;

interface Expected {
  file: string;
  line: number;
  ruleId: string;
}

/** Expands one template: generated values in place of markers, and what should be found. */
function expand(
  name: string,
  template: string,
  seed: number,
): { text: string; expected: Expected[] } {
  const keys = createFakeKeys(seed);
  const decoys = createDecoys(seed);
  const expected: Expected[] = [];
  let line = 1;
  const out = template.split('\n').map((raw) => {
    const text = raw.replace(
      MARKER,
      (_m, decoy?: string, gen?: string, json?: string, rule?: string) => {
        if (decoy !== undefined) return decoys[decoy]!();
        const value = keys[gen!]!().value;
        expected.push({ file: name, line, ruleId: rule ?? ruleOf(gen!) });
        return json !== undefined ? JSON.stringify(value).slice(1, -1) : value;
      },
    );
    line += text.split('\n').length;
    return text;
  });
  return { text: out.join('\n'), expected };
}

/** Many generated decoys in contexts that look like assignments. */
function generatedDecoys(seed: number): string {
  const d = createDecoys(seed);
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    lines.push(
      `sha256sum ${d.sha256!()}  dist/app-${i}.tgz`,
      `"id": "${d.uuid!()}",`,
      `commit ${d.sha1!()}`,
      `etag: "${d.md5!()}"`,
      `<img src="data:image/png;base64,${d.png!()}">`,
      `integrity="sha384-${d['b64-48']!()}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

function score(found: readonly ScanFinding[], expected: readonly Expected[]) {
  const key = (f: { file: string; line: number; ruleId: string }) =>
    `${f.file}:${f.line}:${f.ruleId}`;
  const open = new Map<string, number>();
  for (const e of expected) open.set(key(e), (open.get(key(e)) ?? 0) + 1);
  const perRule = new Map<string, Tally>();
  const tally = (rule: string): Tally =>
    perRule.get(rule) ?? perRule.set(rule, { tp: 0, fp: 0, fn: 0 }).get(rule)!;
  const falsePositives: string[] = [];
  for (const f of found) {
    const left = open.get(key(f)) ?? 0;
    if (left > 0) {
      open.set(key(f), left - 1);
      tally(f.ruleId).tp++;
    } else {
      tally(f.ruleId).fp++;
      falsePositives.push(`${key(f)} ${f.preview}`);
    }
  }
  const misses: string[] = [];
  for (const [k, left] of open) {
    for (let i = 0; i < left; i++) {
      tally(k.split(':')[2]!).fn++;
      misses.push(k);
    }
  }
  return { perRule, falsePositives, misses };
}

function ratio(a: number, b: number): string {
  return b === 0 ? '   -  ' : (a / b).toFixed(3);
}

const work = mkdtempSync(join(tmpdir(), 'bastion-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scanner corpus: precision and recall', () => {
  it('reports true keys and leaves decoys alone', async () => {
    const expected: Expected[] = [];
    const templates = readdirSync(join(corpusDir, 'templates'));
    for (const [seedOffset, seed] of [1, 2, 3].entries()) {
      for (const t of templates) {
        const name = `run${seedOffset}/${t.replace(/\.tmpl$/, '')}`;
        const { text, expected: e } = expand(
          name,
          readFileSync(join(corpusDir, 'templates', t), 'utf8'),
          seed * 7919,
        );
        mkdirSync(dirname(join(work, name)), { recursive: true });
        writeFileSync(join(work, name), text);
        expected.push(...e);
      }
    }
    for (const d of readdirSync(join(corpusDir, 'decoys'))) {
      mkdirSync(join(work, 'decoys'), { recursive: true });
      writeFileSync(join(work, 'decoys', d), readFileSync(join(corpusDir, 'decoys', d)));
    }
    writeFileSync(join(work, 'decoys/generated.txt'), generatedDecoys(5));

    const result = await runScan(
      {
        mode: 'files',
        paths: ['.'],
        cwd: work,
        env: {},
        allow: { paths: [], rules: [], fingerprints: [] },
        maxFileBytes: 1 << 20,
        respectGitignore: false,
      },
      { progress: silentProgress, clock: systemClock },
    );
    const { perRule, falsePositives, misses } = score(result.findings, expected);

    let tp = 0;
    let fp = 0;
    let fn = 0;
    const rows = [...perRule].sort(([a], [b]) => a.localeCompare(b));
    const table = rows.map(([rule, t]) => {
      tp += t.tp;
      fp += t.fp;
      fn += t.fn;
      return `${rule.padEnd(28)} ${String(t.tp).padStart(3)} ${String(t.fp).padStart(3)} ${String(t.fn).padStart(3)}   ${ratio(t.tp, t.tp + t.fp)}    ${ratio(t.tp, t.tp + t.fn)}`;
    });
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(
      [
        `corpus: ${expected.length} true keys, ${result.stats.filesScanned} files`,
        `${'rule'.padEnd(28)}  tp  fp  fn   precision recall`,
        ...table,
        `${'overall'.padEnd(28)} ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)}   ${precision.toFixed(3)}    ${recall.toFixed(3)}`,
        `false positives: ${falsePositives.join(', ') || 'none'}`,
        `misses: ${misses.join(', ') || 'none'}`,
      ].join('\n'),
    );
    expect(precision).toBeGreaterThanOrEqual(0.97);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(falsePositives.filter((f) => f.startsWith('decoys/'))).toEqual([]);
  });
});
