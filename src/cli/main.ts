import { GatewayError } from '../errors/gateway-error.js';
import { scrubber } from '../log/scrub.js';
import { UsageError, type CliCommand, type CliIo, type LazyCommand } from './command.js';

type Entry = CliCommand | LazyCommand;

const load = (entry: Entry): Promise<CliCommand> =>
  'run' in entry ? Promise.resolve(entry) : entry.load();

/** Finds the longest command name matching the leading words and runs it. */
export async function runCli(
  argv: string[],
  commands: readonly Entry[],
  io: CliIo,
): Promise<number> {
  const entry = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((word, i) => argv[i] === word));
  if (entry === undefined || argv[0] === '--help' || argv[0] === 'help') {
    io.stderr.write(help(await Promise.all(commands.map(load))));
    return argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
  }
  const match = await load(entry);
  const rest = argv.slice(match.name.split(' ').length);
  if (match.hasOwnHelp !== true && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(`bastion ${match.name}: ${match.summary}\n`);
    return 0;
  }
  try {
    return await match.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr.write(`bastion ${match.name}: ${(err as Error).message}\n`);
      return 2;
    }
    // Loaded only on this path: a scan must not pay for the config loader.
    const { ConfigError } = await import('../config/load.js');
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof GatewayError) {
      io.stderr.write(`bastion ${match.name}: ${err.code}: ${scrubber.scrub(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function help(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  bastion ${c.name.padEnd(width)}  ${c.summary}`);
  return `Bastion: a security gateway for LLM APIs.\n\nUsage:\n${lines.join('\n')}\n`;
}
