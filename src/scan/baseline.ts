import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { BaselineError } from './errors.js';
import type { ScanFinding } from './types.js';

const BASELINE_VERSION = 1;

/**
 * A baseline acknowledges existing findings: it stores fingerprints (with rule id and file
 * for the reviewer), never secrets or previews. New secrets have new fingerprints and are
 * still reported.
 */
const baselineSchema = z.object({
  version: z.literal(BASELINE_VERSION),
  findings: z.array(
    z.object({
      fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
      ruleId: z.string(),
      file: z.string(),
    }),
  ),
});

export async function readBaseline(file: string): Promise<Set<string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new BaselineError(`${file}: not readable JSON (${(e as Error).name})`);
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) throw new BaselineError(`${file}: not a Bastion scan baseline`);
  return new Set(parsed.data.findings.map((f) => f.fingerprint));
}

export function renderBaseline(findings: readonly ScanFinding[]): string {
  const seen = new Set<string>();
  const entries = [];
  for (const f of findings) {
    const key = `${f.fingerprint}\0${f.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.file });
  }
  entries.sort(
    (a, b) => a.file.localeCompare(b.file) || a.fingerprint.localeCompare(b.fingerprint),
  );
  return `${JSON.stringify({ version: BASELINE_VERSION, findings: entries }, null, 2)}\n`;
}

export async function writeBaseline(file: string, findings: readonly ScanFinding[]): Promise<void> {
  await writeFile(file, renderBaseline(findings), 'utf8');
}
