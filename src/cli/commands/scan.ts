import { access, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultSecretRules } from '../../detect/secrets/index.js';
import { mergeAllowLists, type AllowList } from '../../scan/allow.js';
import type { ScanConfig } from '../../scan/config.js';
import { runScan, type ScanMode, type ScanRequest } from '../../scan/engine.js';
import { BaselineError, ScanConfigError } from '../../scan/errors.js';
import { GitError } from '../../scan/git.js';
import { createProgress, silentProgress } from '../../scan/progress.js';
import { renderJson } from '../../scan/report-json.js';
import { renderSarif } from '../../scan/report-sarif.js';
import { renderText } from '../../scan/report-text.js';
import type { ScanResult } from '../../scan/types.js';
import { systemClock } from '../../util/clock.js';
import { ignoredHint } from './scan-hint.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `Usage: bastion scan [PATH…] [options]

Finds credentials in files and folders (default: .), staged changes, git history or logs.

Sources (pick one; files and folders when none is given):
  --staged                 what is staged for the next commit
  --history                every commit reachable from HEAD (oldest first)
  --range REV              with --history: only these commits, e.g. main..HEAD
  --logs                   log files: JSON lines (decoded per record) or plain text

Output:
  -f, --format FMT         text (default), json or sarif
  -o, --output FILE        write the report to FILE instead of stdout
  -q, --quiet              no progress line (it only shows on a terminal, never in CI)

Suppressing findings:
  --config FILE            scan config (default: .bastion-scan.json when present)
  --allow-path GLOB        do not scan matching paths (gitignore syntax; repeatable)
  --allow-rule ID          do not run rule ID (repeatable)
  --allow-fingerprint FP   do not report this finding (repeatable)
  --baseline FILE          do not report findings acknowledged in FILE
  --write-baseline FILE    record every current finding in FILE and exit 0
  A line containing "bastion:allow" is not reported.

Limits:
  --max-file-size SIZE     skip larger files (default 5m; k and m suffixes)
  --no-gitignore           also scan files .gitignore excludes

  --list-rules             print the rules and exit
Exit codes: 0 clean, 1 secrets found, 2 usage error: bad flag or value, missing path,
unreadable config or baseline, not a git work tree (a file that cannot be read is skipped).
`;

const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const CONFIG_FILE = '.bastion-scan.json';
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const OPTIONS = {
  staged: { type: 'boolean' },
  history: { type: 'boolean' },
  range: { type: 'string' },
  logs: { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  config: { type: 'string' },
  'allow-path': { type: 'string', multiple: true },
  'allow-rule': { type: 'string', multiple: true },
  'allow-fingerprint': { type: 'string', multiple: true },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'max-file-size': { type: 'string' },
  'no-gitignore': { type: 'boolean' },
  'list-rules': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
type Parsed = ReturnType<typeof parse>;

function modeOf(values: Parsed['values']): ScanMode {
  const picked = (['staged', 'history', 'logs'] as const).filter((m) => values[m] === true);
  if (picked.length > 1) throw new UsageError(`--${picked.join(' and --')} cannot be combined`);
  if (values.range !== undefined && picked[0] !== 'history') {
    throw new UsageError('--range needs --history');
  }
  if (values.range?.startsWith('-') === true)
    throw new UsageError('--range takes a revision range');
  return picked[0] ?? 'files';
}

function formatOf(value: string | undefined): Format {
  const format = value ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  }
  return format as Format;
}

export function parseSize(value: string): number {
  const m = /^(\d+)([km]?)b?$/i.exec(value.trim());
  if (m === null) throw new UsageError(`--max-file-size: not a size: ${value}`);
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1;
  return Number(m[1]) * factor;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

interface LoadedConfig {
  readonly config: ScanConfig;
  readonly allow: AllowList;
  readonly dir: string;
}

// Config and baseline files are parsed with zod, loaded only when such a file is in use: the
// pre-commit hook runs on every commit and should start fast.
async function configOf(
  values: Parsed['values'],
  cwd: string,
  root: string,
): Promise<LoadedConfig | undefined> {
  const file =
    values.config !== undefined ? resolve(cwd, values.config) : resolve(root, CONFIG_FILE);
  if (values.config === undefined && !(await exists(file))) return undefined;
  const { allowListOf, loadScanConfig } = await import('../../scan/config.js');
  const config = await loadScanConfig(file);
  return { config, allow: allowListOf(config), dir: dirname(file) };
}

async function readBaselineFile(file: string): Promise<Set<string>> {
  const { readBaseline } = await import('../../scan/baseline.js');
  return readBaseline(file);
}

/** `--baseline` (relative to the working directory), else the config's (relative to it). */
async function baselineOf(values: Parsed['values'], cwd: string, loaded: LoadedConfig | undefined) {
  if (values.baseline !== undefined) return readBaselineFile(resolve(cwd, values.baseline));
  const fromConfig = loaded?.config.baseline;
  return fromConfig !== undefined
    ? readBaselineFile(resolve(loaded?.dir ?? cwd, fromConfig))
    : undefined;
}

async function requestOf(parsed: Parsed, io: CliIo): Promise<ScanRequest> {
  const { values, positionals } = parsed;
  const mode = modeOf(values);
  if ((mode === 'staged' || mode === 'history') && positionals.length > 1) {
    throw new UsageError(`--${mode} takes at most one PATH: the repository`);
  }
  const root =
    mode === 'staged' || mode === 'history' ? resolve(io.cwd, positionals[0] ?? '.') : io.cwd;
  const loaded = await configOf(values, io.cwd, root);
  const config = loaded?.config;
  const baseline = await baselineOf(values, io.cwd, loaded);
  const noConfig: AllowList = { paths: [], rules: [], fingerprints: [] };
  const flags = {
    paths: values['allow-path'] ?? [],
    rules: values['allow-rule'] ?? [],
    fingerprints: values['allow-fingerprint'] ?? [],
  };
  const maxSize = values['max-file-size'];
  return {
    mode,
    paths: positionals,
    ...(values.range !== undefined ? { range: values.range } : {}),
    cwd: io.cwd,
    env: io.env,
    allow: mergeAllowLists(loaded?.allow ?? noConfig, flags),
    ...(baseline !== undefined ? { baseline } : {}),
    maxFileBytes:
      maxSize !== undefined ? parseSize(maxSize) : (config?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    respectGitignore: values['no-gitignore'] !== true,
  };
}

function listRules(): string {
  const width = Math.max(...defaultSecretRules.map((r) => r.id.length));
  return defaultSecretRules
    .map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(6)}  ${r.title}\n`)
    .join('');
}

function render(result: ScanResult, format: Format): string {
  if (format === 'json') return renderJson(result);
  if (format === 'sarif') return renderSarif(result);
  return renderText(result);
}

async function execute(args: string[], io: CliIo): Promise<number> {
  const parsed = parse(args);
  if (parsed.values.help === true || parsed.values['list-rules'] === true) {
    io.stdout.write(parsed.values.help === true ? USAGE : listRules());
    return 0;
  }
  const format = formatOf(parsed.values.format);
  const request = await requestOf(parsed, io);
  const showProgress = io.stderr.isTTY === true && !io.env.CI && parsed.values.quiet !== true;
  const unit = request.mode === 'history' ? 'commits' : 'files';
  const progress = showProgress
    ? createProgress({ stream: io.stderr, clock: systemClock, unit })
    : silentProgress;
  const result = await runScan(request, { progress, clock: systemClock });
  const baselineOut = parsed.values['write-baseline'];
  if (baselineOut !== undefined) {
    const { writeBaseline } = await import('../../scan/baseline.js');
    await writeBaseline(resolve(io.cwd, baselineOut), result.findings);
    io.stdout.write(`Wrote ${result.findings.length} finding(s) to ${baselineOut}.\n`);
    return 0;
  }
  io.stderr.write(await ignoredHint(request, result));
  const report = render(result, format);
  if (parsed.values.output !== undefined)
    await writeFile(resolve(io.cwd, parsed.values.output), report);
  else io.stdout.write(report);
  return result.findings.length > 0 ? 1 : 0;
}

function isUsageProblem(e: unknown): e is Error {
  if (e instanceof UsageError || e instanceof ScanConfigError || e instanceof BaselineError)
    return true;
  if (e instanceof GitError) return true;
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export const command: CliCommand = {
  name: 'scan',
  hasOwnHelp: true,
  async run(args, io) {
    try {
      return await execute(args, io);
    } catch (e) {
      if (!isUsageProblem(e)) throw e;
      io.stderr.write(`bastion scan: ${e.message}\nRun 'bastion scan --help' for usage.\n`);
      return 2;
    }
  },
};
