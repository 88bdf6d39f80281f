import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTextFile } from './read-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(name: string, maxBytes = 1 << 20, bufferBytes = 16) {
  let text = '';
  const result = readTextFile(
    join(dir, name),
    Buffer.alloc(bufferBytes),
    maxBytes,
    (t) => (text += t),
  );
  return { ...result, text };
}

describe('readTextFile', () => {
  it('streams a text file through a small buffer, multi-byte characters intact', () => {
    const body = 'héllo wörld — ✓ '.repeat(20);
    writeFileSync(join(dir, 'a.txt'), body);
    expect(read('a.txt')).toEqual({
      outcome: 'read',
      bytes: Buffer.byteLength(body),
      text: body,
    });
  });

  it('skips binary and oversized files without reading them', () => {
    writeFileSync(join(dir, 'b.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(100));
    expect(read('b.bin')).toMatchObject({ outcome: 'binary', text: '' });
    expect(read('big.txt', 99)).toMatchObject({ outcome: 'too-large', text: '' });
  });

  it('does not follow symlinks, and reports missing files as unreadable', () => {
    writeFileSync(join(dir, 'target.txt'), 'secret elsewhere');
    symlinkSync(join(dir, 'target.txt'), join(dir, 'link.txt'));
    expect(read('link.txt')).toMatchObject({ outcome: 'unreadable', text: '' });
    expect(read('missing.txt')).toMatchObject({ outcome: 'unreadable' });
  });
});
