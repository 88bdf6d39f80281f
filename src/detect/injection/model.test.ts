import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, loadInjectionModel } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-model-'));
const shipped = JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as Record<string, unknown>;
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadInjectionModel', () => {
  it('reads a file once per process: later calls reuse it even when the file is gone', () => {
    const path = join(dir, 'copy.json');
    copyFileSync(DEFAULT_MODEL_PATH, path);
    const first = loadInjectionModel(path);
    rmSync(path);
    expect(loadInjectionModel(path)).toBe(first);
  });

  it.each([
    ['missing', () => join(dir, 'nope.json'), /ENOENT/],
    ['not JSON', () => write('a.json', '{"format":'), /not JSON/],
    [
      'another format',
      () => write('b.json', JSON.stringify({ ...shipped, format: 'x/2' })),
      /format/,
    ],
    [
      'a flipped weight',
      () => {
        const w = Buffer.from(shipped.weights as string, 'base64');
        w[1000] = (w[1000] as number) ^ 1;
        return write('c.json', JSON.stringify({ ...shipped, weights: w.toString('base64') }));
      },
      /checksum/,
    ],
    [
      'a truncated table',
      () => write('d.json', JSON.stringify({ ...shipped, weights: 'AAAA' })),
      /wrong size/,
    ],
    [
      'no calibration',
      () => write('e.json', JSON.stringify({ ...shipped, platt: {} })),
      /calibration/,
    ],
  ])('refuses a %s model file with injection_model_invalid', (_name, make, why) => {
    const path = make();
    const err = (() => {
      try {
        loadInjectionModel(path);
      } catch (e) {
        return e as { code?: string; message?: string };
      }
      return undefined;
    })();
    expect(err?.code).toBe('injection_model_invalid');
    expect(err?.message).toMatch(why);
  });
});
