import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultSecretRules } from '../../src/detect/secrets/index.js';

const doc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '../../docs/scan.md'),
  'utf8',
);

describe('docs/scan.md', () => {
  it('lists every rule, with its severity, in rule order', () => {
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` +\| (high|medium|low) +\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual(defaultSecretRules.map((r) => [r.id, r.severity]));
  });
});
