// Compares `bastion scan` with secretlint on the same generated tree (~50 MB), in one run:
// files/s, MB/s and the ratio. Run after `npm run build`:  node bench/scan.js
// Env: BENCH_SCAN_MB (tree size, default 50), BENCH_SCAN_RUNS (best of N runs of each
// tool, default 1), BASTION_CLI (entry point, default dist/cli/index.js),
// BENCH_KEEP_TREE=1 (print and keep the tree folder).
import { spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import console from 'node:console';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { mulberry32 as seeded } from '../scripts/mulberry32.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const targetBytes = Number(process.env.BENCH_SCAN_MB ?? 50) * 1e6;
const runs = Math.max(1, Number(process.env.BENCH_SCAN_RUNS ?? 1));
const bastionCli = resolve(repo, process.env.BASTION_CLI ?? 'dist/cli/index.js');
const secretlintBin = join(repo, 'node_modules/secretlint/bin/secretlint.js');

const rnd = seeded(42);
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
};
const oneOf = (list) => list[Math.floor(rnd() * list.length)];
const words = (
  'user account order item price total config request response handler service client ' +
  'cache queue token key secret session value result error status payload header model ' +
  'stream chunk buffer index count limit offset page filter record event message'
).split(' ');
const ident = () => oneOf(words) + oneOf(words).replace(/^./, (c) => c.toUpperCase());

// Code-like lines, including the shapes a scanner must look at and let go (keys read from the
// environment, token counts, hashes, URLs without credentials).
const LINE_TEMPLATES = [
  () => `import { ${ident()} } from './${oneOf(words)}/${oneOf(words)}.js';`,
  () => `export function ${ident()}(${oneOf(words)}: string, ${oneOf(words)}: number): boolean {`,
  () =>
    `  const ${ident()} = await this.${ident()}(${oneOf(words)}, { retries: ${Math.floor(rnd() * 9)} });`,
  () =>
    `  if (${oneOf(words)}.${oneOf(words)} > ${Math.floor(rnd() * 5000)}) return ${oneOf(['true', 'false', 'null'])};`,
  () =>
    `  // ${oneOf(words)} ${oneOf(words)} ${oneOf(words)} before the ${oneOf(words)} is ${oneOf(words)}ed`,
  () => `  const apiKey = process.env.${oneOf(words).toUpperCase()}_API_KEY;`,
  () => `  const tokenCount = ${Math.floor(rnd() * 100000)};`,
  () => `  logger.info({ event: '${oneOf(words)}_${oneOf(words)}', ${oneOf(words)}Id: id });`,
  () =>
    `  const url = 'https://api.${oneOf(words)}.example.com/v1/${oneOf(words)}s?page=${Math.floor(rnd() * 99)}';`,
  () => `  const digest = '${pick('0123456789abcdef', 64)}';`,
  () => `  throw new Error('${oneOf(words)} ${oneOf(words)} failed: ' + ${oneOf(words)}.message);`,
  () =>
    `  return { ${oneOf(words)}: ${ident()}, ${oneOf(words)}: [${Math.floor(rnd() * 9)}, ${Math.floor(rnd() * 9)}] };`,
  () => '}',
  () => '',
];

const PLANTS = [
  () => `ghp_${pick(B62, 36)}`,
  () => `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  () => `sk-proj-${pick(B62, 74)}T3BlbkFJ${pick(B62, 74)}`,
  () => `xoxb-${pick('0123456789', 12)}-${pick('0123456789', 13)}-${pick(B62, 24)}`,
  () => `glpat-${pick(B62, 20)}`,
  () => `npm_${pick(B62, 36)}`,
];

function generateTree(root) {
  const exts = ['ts', 'js', 'py', 'go', 'md', 'yaml'];
  let bytes = 0;
  let files = 0;
  let planted = 0;
  while (bytes < targetBytes) {
    const dir = join(root, `pkg${files % 40}`, oneOf(words));
    mkdirSync(dir, { recursive: true });
    const lines = [];
    const size = 4_000 + Math.floor(rnd() * 40_000);
    let length = 0;
    while (length < size) {
      const line = oneOf(LINE_TEMPLATES)();
      lines.push(line);
      length += line.length + 1;
    }
    if (files % 100 === 7) {
      lines.splice(Math.floor(rnd() * lines.length), 0, `const ${ident()} = "${oneOf(PLANTS)()}";`);
      planted++;
    }
    const text = `${lines.join('\n')}\n`;
    writeFileSync(join(dir, `${oneOf(words)}-${files}.${oneOf(exts)}`), text);
    bytes += Buffer.byteLength(text);
    files++;
  }
  return { files, bytes, planted };
}

/** Best of `runs` wall-clock runs, each a fresh process (start-up included for both tools). */
function timed(label, command, args, cwd) {
  let best;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const run = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0 && run.status !== 1) {
      throw new Error(`${label} exited ${run.status}: ${(run.stderr ?? '').slice(0, 400)}`);
    }
    if (best === undefined || seconds < best.seconds) best = { seconds, stdout: run.stdout };
  }
  return best;
}

function main() {
  if (!existsSync(bastionCli)) {
    console.error(`bench/scan.js: ${bastionCli} not found; run npm run build first.`);
    process.exit(2);
  }
  const root = mkdtempSync(join(tmpdir(), 'bastion-scan-bench-'));
  const tree = join(root, 'tree');
  mkdirSync(tree);
  const { files, bytes, planted } = generateTree(tree);
  // Both tools honour .gitignore; secretlint resolves its rule preset from the tree's
  // node_modules, which is linked here and ignored by both.
  writeFileSync(join(tree, '.gitignore'), 'node_modules\n');
  writeFileSync(
    join(tree, '.secretlintrc.json'),
    JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
  );
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'), 'dir');

  const bastion = timed(
    'bastion',
    process.execPath,
    [bastionCli, 'scan', '.', '--format', 'json', '--quiet'],
    tree,
  );
  const found = JSON.parse(bastion.stdout).findings.length;
  const secretlint = timed(
    'secretlint',
    process.execPath,
    [secretlintBin, '**/*', '--format', 'compact', '--output', join(root, 'secretlint.txt')],
    tree,
  );

  const mb = bytes / 1e6;
  const row = (name, t, extra) =>
    `${name.padEnd(11)} ${t.seconds.toFixed(2).padStart(7)} s ${(files / t.seconds).toFixed(0).padStart(9)} files/s ${(mb / t.seconds).toFixed(1).padStart(8)} MB/s  ${extra}`;
  console.log(
    `tree: ${files} files, ${mb.toFixed(1)} MB, ${planted} planted keys; best of ${runs} run(s)`,
  );
  console.log(row('bastion', bastion, `${found} findings`));
  console.log(row('secretlint', secretlint, ''));
  console.log(
    `ratio: bastion is ${(secretlint.seconds / bastion.seconds).toFixed(1)}x faster than secretlint`,
  );
  if (process.env.BENCH_KEEP_TREE === '1') console.log(`tree kept at ${tree}`);
  else rmSync(root, { recursive: true, force: true });
}

main();
