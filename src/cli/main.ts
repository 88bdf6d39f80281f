import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors/gateway-error.js';
import { scrubber } from '../log/scrub.js';
import { CliFailure, UsageError, type CliIo, type LazyCommand } from './command.js';
import { closest, commandHelp, listHelp } from './help.js';

/** System errors an operator can fix (a busy port, a missing file): one line, never a stack. */
const OPERATIONAL_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM', 'ENOENT']);

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/** Finds the longest command name matching the leading words and runs it. */
export async function runCli(
  argv: string[],
  commands: readonly LazyCommand[],
  io: CliIo,
): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  // `bastion help keys create` is `bastion keys create --help`.
  if (argv[0] === 'help' && argv.length > 1)
    return runCli([...argv.slice(1), '--help'], commands, io);
  if (argv.length === 0 || isHelp(argv[0])) {
    io.stdout.write(listHelp(commands));
    return 0;
  }
  const entry = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((word, i) => argv[i] === word));
  if (entry === undefined) return unknownCommand(argv, commands, io);
  const rest = argv.slice(entry.name.split(' ').length);
  const match = await entry.load();
  if (match.hasOwnHelp !== true && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(commandHelp(entry.name, entry));
    return 0;
  }
  try {
    return await match.run(rest, io);
  } catch (err) {
    return await report(err, entry, io);
  }
}

/** `bastion keys --help` lists the keys commands; a typo gets "did you mean". Exit 2 unless help. */
function unknownCommand(argv: string[], commands: readonly LazyCommand[], io: CliIo): number {
  const [first = ''] = argv;
  const group = commands.filter((c) => c.name.startsWith(`${first} `));
  if (group.length > 0 && (argv.length === 1 || isHelp(argv[1]))) {
    const text = listHelp(group, first);
    if (argv.length > 1) {
      io.stdout.write(text);
      return 0;
    }
    io.stderr.write(`bastion ${first}: missing command\n\n${text}`);
    return 2;
  }
  const names = commands.map((c) => c.name);
  const nouns = [...new Set(names.map((n) => n.split(' ')[0] ?? n))];
  const typed = argv.slice(0, 2).join(' ');
  const guess = closest(typed, names) ?? closest(first, [...names, ...nouns]);
  const hint = guess === undefined ? '' : ` Did you mean "bastion ${guess}"?`;
  const shown = group.length > 0 ? typed : first;
  io.stderr.write(
    `bastion: unknown command "${shown}".${hint}\nRun 'bastion --help' for the list of commands.\n`,
  );
  return 2;
}

async function report(err: unknown, entry: LazyCommand, io: CliIo): Promise<number> {
  const prefix = `bastion ${entry.name}`;
  if (err instanceof UsageError || isParseArgsError(err)) {
    io.stderr.write(
      `${prefix}: ${usageMessage(err as Error, entry)}\nRun '${prefix} --help' for usage.\n`,
    );
    return 2;
  }
  if (err instanceof CliFailure) {
    io.stderr.write(`${prefix}: ${scrubber.scrub(err.message)}\n`);
    return 1;
  }
  // Loaded only on this path: a scan must not pay for the config loader.
  const { ConfigError } = await import('../config/load.js');
  if (err instanceof ConfigError) {
    io.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (err instanceof GatewayError) {
    io.stderr.write(`${prefix}: ${err.code}: ${scrubber.scrub(err.message)}\n`);
    return 1;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && OPERATIONAL_CODES.has(code)) {
    io.stderr.write(`${prefix}: ${scrubber.scrub((err as Error).message)}\n`);
    return 1;
  }
  throw err;
}

/** parseArgs' "Unknown option" text is long and names no fix; say which flag was meant. */
function usageMessage(err: Error, entry: LazyCommand): string {
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(err.message)?.[1];
  if (unknown === undefined) return err.message;
  const flags = (entry.flags ?? []).flatMap(([f]) =>
    f.split(/[ ,/]+/).filter((w) => w.startsWith('-')),
  );
  const guess = closest(unknown, flags);
  return `unknown option ${unknown}${guess === undefined ? '' : `; did you mean ${guess}?`}`;
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** From package.json, two folders up from both src/cli and dist/cli. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return `bastion ${pkg.version}`;
}
