import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AllowList } from './allow.js';
import { ScanConfigError } from './errors.js';

const fingerprintEntry = z.union([
  z.string().regex(/^[0-9a-f]{32}$/),
  z.object({ fingerprint: z.string().regex(/^[0-9a-f]{32}$/), reason: z.string().optional() }),
]);

/** `.bastion-scan.json`: what the scanner may skip in this repository. */
export const scanConfigSchema = z
  .object({
    allow: z
      .object({
        paths: z.array(z.string()).default([]).describe('gitignore-style patterns not scanned'),
        rules: z.array(z.string()).default([]).describe('rule ids not run'),
        fingerprints: z.array(fingerprintEntry).default([]).describe('findings acknowledged'),
      })
      .strict()
      .default({ paths: [], rules: [], fingerprints: [] }),
    maxFileBytes: z.number().int().positive().optional(),
    baseline: z.string().optional().describe('baseline file, relative to this config file'),
  })
  .strict();

export type ScanConfig = z.infer<typeof scanConfigSchema>;

/** Reads and validates a scan config; every problem is reported at once. */
export async function loadScanConfig(file: string): Promise<ScanConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ScanConfigError(`${file}: not readable JSON (${(e as Error).name})`);
  }
  const parsed = scanConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new ScanConfigError(`${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function allowListOf(config: ScanConfig | undefined): AllowList {
  const allow = config?.allow;
  return {
    paths: allow?.paths ?? [],
    rules: allow?.rules ?? [],
    fingerprints: (allow?.fingerprints ?? []).map((f) =>
      typeof f === 'string' ? f : f.fingerprint,
    ),
  };
}
