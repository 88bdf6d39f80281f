import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/test-services.js');

/** Runs `npm test`'s service check with a PATH that holds only node, as on a fresh machine. */
async function check(env: Record<string, string>) {
  const bin = mkdtempSync(join(tmpdir(), 'bastion-fresh-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const child = spawn(process.execPath, [SCRIPT], {
    env: { PATH: bin, HOME: bin, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

// Issue 11: on a fresh machine `npm test` failed suite by suite; now it fails once, naming the
// command that installs each missing service.
describe('npm test service check', () => {
  it('fails once with the install command for each missing service', async () => {
    const { code, stderr } = await check({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      REDIS_URL: 'redis://127.0.0.1:1',
      CHROMIUM_PATH: '/nonexistent/chromium',
      SYSTEMD_ANALYZE_PATH: '/nonexistent/systemd-analyze',
    });
    expect(code).toBe(1);
    expect(stderr.match(/npm test cannot run yet/g)).toHaveLength(1);
    expect(stderr).toContain('sudo apt-get install -y postgresql');
    expect(stderr).toContain('sudo apt-get install -y redis-server');
    expect(stderr).toContain('sudo apt-get install -y chromium');
    expect(stderr).toContain('sudo apt-get install -y systemd');
  });

  it('passes when the services answer', async () => {
    const { code, stderr } = await check({
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      CHROMIUM_PATH: process.execPath,
      // Any program that answers --version stands in, as node does for Chromium.
      SYSTEMD_ANALYZE_PATH: process.execPath,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
