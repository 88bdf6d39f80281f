import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { CLI } from '../helpers/spawn.js';

const ROTATE_CANARY = 'sk-proj-rotate-canary-7d1e4a9c2b8f6e3d';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, COMMANDS, {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env,
    cwd: tmpdir(),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The built CLI in its own folder; `closeStdout` drops the reader at once, like `| head -0`. */
async function spawnCli(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; closeStdout?: boolean },
) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.closeStdout === true) child.stdout.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('bastion CLI: help', () => {
  it.each(COMMANDS.map((c) => c.name))(
    '`bastion %s --help` prints its help on stdout, exit 0',
    async (name) => {
      const r = await run([...name.split(' '), '--help']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.length).toBeGreaterThan(40);
      const entry = COMMANDS.find((c) => c.name === name);
      if (entry?.flags !== undefined) {
        expect(r.stdout).toMatch(new RegExp(`^Usage: bastion ${name}`));
        expect(r.stdout).toMatch(/Example:\n {2}.*bastion /);
        for (const [flag] of entry.flags) expect(r.stdout).toContain(flag);
      }
    },
  );

  it('prints global and per-noun help on stdout with exit 0', async () => {
    for (const argv of [['--help'], ['help'], ['-h'], []]) {
      const r = await run(argv);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('bastion keys create');
    }
    for (const noun of ['keys', 'vault', 'audit', 'killswitch', 'providers']) {
      const r = await run([noun, '--help']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`bastion ${noun} `);
      expect(r.stdout).not.toContain('bastion serve');
    }
    expect((await run(['help', 'keys', 'create'])).stdout).toMatch(/^Usage: bastion keys create/);
    expect((await run(['keys'])).code).toBe(2);
  });

  it('says an unknown command or flag is unknown, with a suggestion, exit 2', async () => {
    const typo = await run(['kyes', 'list']);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toContain('unknown command "kyes"');
    expect(typo.stderr).toContain('Did you mean "bastion keys list"?');
    expect((await run(['keys', 'lst'])).stderr).toContain('Did you mean "bastion keys list"?');
    const flag = await run(['keys', 'create', '--name', 'x', '--tema', 'payments']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --tema; did you mean --team?');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `bastion ${pkg.version}\n` });
  });
});

describe('bastion CLI: errors are one line with the fix', () => {
  let busy: Server;
  let busyPort = 0;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-cli-ux-'));
    busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  const serveEnv = () => ({ BASTION_STORES__SQLITE__PATH: join(dir, 'bastion.db') });

  it('names the busy data-plane port and the flag to change it', async () => {
    const r = await spawnCli(['serve', '--port', String(busyPort), '--control-port', '0'], {
      cwd: dir,
      env: serveEnv(),
    });
    expect(r.code).toBe(1);
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(line).toContain(`data-plane port 127.0.0.1:${busyPort} is already in use`);
    expect(line).toContain('--port or server.port');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the busy control-plane port when a second gateway starts', async () => {
    const r = await spawnCli(['serve', '--port', '0', '--control-port', String(busyPort)], {
      cwd: dir,
      env: serveEnv(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`control-plane port 127.0.0.1:${busyPort} is already in use`);
    expect(r.stderr).toContain('controlPlane.port');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a port that is not a number as a usage error', async () => {
    const r = await spawnCli(['mock-provider', '--port', 'abc'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a port number from 0 to 65535');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('ends quietly with exit 0 when the reader of its output goes away (EPIPE)', async () => {
    const db = join(dir, 'audit.db');
    const store = createSqliteStore({ path: db });
    await store.migrate();
    await store.appendAudit([
      {
        requestId: 'req_pipe',
        timeMs: Date.now(),
        keyId: 'key_pipe',
        keyPrefix: 'bk_dev_pipe',
        env: 'dev',
        endpoint: '/v1/chat/completions',
        model: 'gpt-4o-mini',
        provider: 'openai',
        upstreamKeyLabel: 'openai-1',
        status: 200,
        errorCode: null,
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
        upstreamLatencyMs: 1,
        clientIp: '127.0.0.1',
        isStream: false,
        decisions: [],
      },
    ] as never);
    await store.close();
    const env = { BASTION_STORES__SQLITE__PATH: db };
    // --follow keeps running after its first write, so an unhandled EPIPE would crash it.
    const help = await spawnCli(['--help'], { cwd: dir, env, closeStdout: true });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    const follow = await spawnCli(['audit', 'tail', '--follow'], {
      cwd: dir,
      env,
      closeStdout: true,
    });
    expect(follow).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses to list keys of a store that does not exist, instead of creating an empty one', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'bastion-elsewhere-'));
    const r = await spawnCli(['keys', 'list'], { cwd: elsewhere });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(elsewhere, 'data'));
    expect(r.stderr).toContain('--config FILE or BASTION_CONFIG');
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  });

  it('does not repeat an inline key given to providers rotate --new', async () => {
    const r = await run(['providers', 'rotate', 'openai', '--new', ROTATE_CANARY], {
      BASTION_ADMIN_TOKEN: 'adm-test-token-000000000000000000',
      BASTION_ADMIN_URL: 'http://127.0.0.1:9',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--new takes a reference');
    expect(r.stdout + r.stderr).not.toContain(ROTATE_CANARY);
    expect(r.stdout + r.stderr).not.toContain(ROTATE_CANARY.slice(0, 16));
  });
});

describe('bastion CLI: listings', () => {
  it('prints a header, a "no … found" line when empty, and one JSON array with --json', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'bastion-cli-list-')), 'bastion.db');
    const env = { BASTION_STORES__SQLITE__PATH: db };
    expect((await run(['keys', 'create', '--name', 'one'], env)).code).toBe(0);
    const listed = await run(['keys', 'list'], env);
    expect(listed.stdout).toMatch(
      /^ID +PREFIX +ENV +STATE +EXPIRES +NAME\nkey_\S+ +bk_dev_\S+… +dev +active +- +one\n$/,
    );
    expect(JSON.parse((await run(['keys', 'list', '--json'], env)).stdout)).toHaveLength(1);
    const audit = await run(['audit', 'query'], env);
    expect(audit).toMatchObject({ code: 0, stdout: '', stderr: 'no audit records found\n' });
    expect(JSON.parse((await run(['audit', 'query', '--json'], env)).stdout)).toEqual([]);
    expect(JSON.parse((await run(['audit', 'tail', '--json'], env)).stdout)).toEqual([]);
  });
});
