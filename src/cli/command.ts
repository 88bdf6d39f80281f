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
  readonly summary: string;
  /** Prints its own usage on `--help`/`-h`; otherwise the CLI answers with the summary. */
  readonly hasOwnHelp?: boolean;
  /** Exit code: 0 ok, 1 finding or failure, 2 usage error. */
  run(args: string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliStdin = AsyncIterable<Buffer | string> & {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
};

/** A command whose module is imported only when it runs. */
export interface LazyCommand {
  readonly name: string;
  load(): Promise<CliCommand>;
}
