import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPathFilter, mergeAllowLists } from './allow.js';
import { allowListOf, loadScanConfig } from './config.js';
import { ScanConfigError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-allow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FP = 'a'.repeat(32);

describe('scan config', () => {
  it('reads allow-lists, with or without reasons', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(
      file,
      JSON.stringify({
        allow: {
          paths: ['fixtures/**'],
          rules: ['jwt'],
          fingerprints: [FP, { fingerprint: 'b'.repeat(32), reason: 'test key' }],
        },
        maxFileBytes: 1024,
      }),
    );
    const config = await loadScanConfig(file);
    expect(allowListOf(config)).toEqual({
      paths: ['fixtures/**'],
      rules: ['jwt'],
      fingerprints: [FP, 'b'.repeat(32)],
    });
    expect(config.maxFileBytes).toBe(1024);
  });

  it('reports every problem at once', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ allow: { fingerprints: ['nothex'], extra: 1 }, maxFileBytes: -1 }),
    );
    const error = await loadScanConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanConfigError);
    expect((error as Error).message).toContain('allow.fingerprints.0');
    expect((error as Error).message).toContain('maxFileBytes');
  });

  it('rejects files that are not JSON', async () => {
    const file = join(dir, 'not.json');
    writeFileSync(file, '{ nope');
    await expect(loadScanConfig(file)).rejects.toBeInstanceOf(ScanConfigError);
  });

  it('merges lists and matches paths with gitignore syntax', () => {
    const merged = mergeAllowLists(allowListOf(undefined), {
      paths: ['*.snap', 'test/fixtures/'],
      rules: [],
      fingerprints: [],
    });
    const allowed = createPathFilter(merged.paths);
    expect(allowed('src/__snapshots__/a.snap')).toBe(true);
    expect(allowed('test/fixtures/keys.txt')).toBe(true);
    expect(allowed('src/index.ts')).toBe(false);
    expect(allowed('../outside.snap')).toBe(false);
    expect(createPathFilter([])('anything')).toBe(false);
  });
});
