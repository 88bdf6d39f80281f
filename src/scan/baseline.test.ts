import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBaseline, writeBaseline } from './baseline.js';
import { BaselineError } from './errors.js';
import type { ScanFinding } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const finding = (fingerprint: string, file: string): ScanFinding => ({
  ruleId: 'github-token',
  file,
  line: 3,
  column: 5,
  endLine: 3,
  endColumn: 45,
  fingerprint,
  preview: 'ghp_…(40 chars)',
});

describe('baseline', () => {
  it('stores fingerprints, rule ids and files only, deduplicated and sorted', async () => {
    const file = join(dir, 'b.json');
    const fpA = 'a'.repeat(32);
    const fpB = 'b'.repeat(32);
    await writeBaseline(file, [finding(fpB, 'z.ts'), finding(fpA, 'a.ts'), finding(fpA, 'a.ts')]);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { findings: object[] };
    expect(stored.findings).toEqual([
      { fingerprint: fpA, ruleId: 'github-token', file: 'a.ts' },
      { fingerprint: fpB, ruleId: 'github-token', file: 'z.ts' },
    ]);
    expect(readFileSync(file, 'utf8')).not.toContain('ghp_');
    expect(await readBaseline(file)).toEqual(new Set([fpA, fpB]));
  });

  it('refuses a file that is not a baseline', async () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, JSON.stringify({ version: 2, findings: [] }));
    await expect(readBaseline(file)).rejects.toBeInstanceOf(BaselineError);
    await expect(readBaseline(join(dir, 'missing.json'))).rejects.toBeInstanceOf(BaselineError);
  });
});
