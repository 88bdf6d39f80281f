import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CompiledCli {
  /** A `bastion` entry point (cli/index.js) beside the compiled commands. */
  readonly cliPath: string;
  remove(): void;
}

/**
 * Compiles the scan and hook commands (and what they import) with tsc into a folder under
 * node_modules/.cache, so that runtime dependencies resolve, and adds a minimal
 * `cli/index.js` that dispatches `scan`, `hook install` and `hook uninstall` the way the real
 * entry point does. A real `git commit` then runs the hook exactly as installed: the hook
 * records the entry point beside the compiled hook-install module, its real default.
 */
export function compileCli(): CompiledCli {
  const outRoot = join(
    repoRoot,
    'node_modules/.cache',
    `bastion-scan-cli-${process.pid}-${Date.now()}`,
  );
  const outDir = join(outRoot, 'out');
  mkdirSync(outRoot, { recursive: true });
  const commands = ['scan', 'hook-install', 'hook-uninstall'];
  writeFileSync(
    join(outRoot, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.json'),
      compilerOptions: {
        rootDir: join(repoRoot, 'src'),
        outDir,
        noEmit: false,
        noCheck: true,
        sourceMap: false,
      },
      files: commands.map((c) => join(repoRoot, 'src/cli/commands', `${c}.ts`)),
      include: [],
    }),
  );
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(outRoot, 'tsconfig.json')],
    {
      stdio: 'pipe',
    },
  );
  const cliPath = join(outDir, 'cli/index.js');
  writeFileSync(
    cliPath,
    `import { command as scan } from './commands/scan.js';
import { command as hookInstall } from './commands/hook-install.js';
import { command as hookUninstall } from './commands/hook-uninstall.js';
const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
const table = [[['scan'], scan], [['hook', 'install'], hookInstall], [['hook', 'uninstall'], hookUninstall]];
const hit = table.find(([words]) => words.every((w, i) => argv[i] === w));
if (hit === undefined) { process.stderr.write('unknown command\\n'); process.exitCode = 2; }
else process.exitCode = await hit[1].run(argv.slice(hit[0].length), io);
`,
  );
  return { cliPath, remove: () => rmSync(outRoot, { recursive: true, force: true }) };
}
