import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSource, trimTrailingNewlines } from './file.js';
import { mustParseSecretRef } from './ref.js';
import type { RefOf } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-file-src-'));
const source = createFileSource();
const ctx = { component: 'test' };
const ref = (path: string) => mustParseSecretRef(`file:${path}`) as RefOf<'file'>;

describe('file source', () => {
  it('reads a mounted secret and trims the trailing newline only', async () => {
    const path = join(dir, 'k8s');
    writeFileSync(path, '  sk-file-value-123 \r\n\n');
    expect((await source.resolve(ref(path), ctx)).secret.reveal()).toBe('  sk-file-value-123 ');
  });

  it('distinguishes a missing file from an unreadable one', async () => {
    await expect(source.resolve(ref(join(dir, 'absent')), ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    // A directory cannot be read as a file (chmod would not stop root, which CI may be).
    await expect(source.resolve(ref(dir), ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
  });

  it('refuses an empty file and a huge one', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    await expect(source.resolve(ref(empty), ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    const huge = join(dir, 'huge');
    writeFileSync(huge, Buffer.alloc(70_000, 'a'));
    await expect(source.resolve(ref(huge), ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
  });

  it('trims long runs of newlines in linear time', () => {
    const text = `a${'\n'.repeat(200_000)}b${'\r\n'.repeat(100_000)}`;
    expect(trimTrailingNewlines(text)).toBe(`a${'\n'.repeat(200_000)}b`);
  });
});
