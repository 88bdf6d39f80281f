/** The contract of one CLI command: `bastion <noun> [verb] ...args`. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Secret input (`bastion vault put`); process.stdin when absent. */
  stdin?: CliStdin;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  /** Words after `bastion`, e.g. `keys create` or `scan`. */
  readonly name: string;
  /** Prints its own usage on `--help`/`-h`; otherwise the CLI prints the entry's `help`. */
  readonly hasOwnHelp?: boolean;
  /** Exit code: 0 ok, 1 finding or failure, 2 usage error. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Input that can never work: one line on stderr, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An operational failure the user can fix (port in use, missing store): one line, exit 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

export type CliStdin = AsyncIterable<Buffer | string> & {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
};

/** `--help` of one command: what it does, its arguments, its flags and one example. */
export interface CommandHelp {
  readonly summary: string;
  /** What follows `bastion <name>`, e.g. `<id|prefix> [options]`. */
  readonly usage?: string;
  /** `[flag, description]` pairs, in the order they are shown. */
  readonly flags?: readonly (readonly [string, string])[];
  readonly example?: string;
}

/** A command whose module is imported only when it runs; its help is known without loading it. */
export interface LazyCommand extends CommandHelp {
  readonly name: string;
  load(): Promise<CliCommand>;
}
