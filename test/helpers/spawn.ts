import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

/** The built CLI (`npm test` builds first, via `pretest`). */
export const CLI = resolve(import.meta.dirname, '../../dist/cli/index.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collect(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, ...out.text() };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => { stdout: string; stderr: string };
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `bastion serve` and resolves once its `gateway_started` log line names the URL. */
export async function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collect(child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = () => {
      const match = /"event":"gateway_started","dataUrl":"([^"]+)"/.exec(out.text().stdout);
      if (match?.[1] !== undefined) {
        child.stdout?.off('data', onData);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`serve exited early (${code}): ${out.text().stderr}`)),
    );
  });
  return {
    child,
    url,
    output: () => out.text(),
    async stop() {
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      return (await exited)[0];
    },
  };
}

function collect(child: ChildProcess) {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  return {
    text: () => ({
      stdout: Buffer.concat(stdout).toString(),
      stderr: Buffer.concat(stderr).toString(),
    }),
  };
}
