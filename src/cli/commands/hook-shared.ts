import { GitError } from '../../scan/git.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

/** A `hook …` command: usage and git errors print one line and exit 2; anything else is a bug. */
export function hookCommand(
  name: string,
  execute: (args: string[], io: CliIo) => Promise<number>,
): CliCommand {
  return {
    name,
    hasOwnHelp: true,
    async run(args, io) {
      try {
        return await execute(args, io);
      } catch (e) {
        if (!(e instanceof UsageError) && !(e instanceof GitError)) throw e;
        io.stderr.write(`bastion ${name}: ${e.message}\n`);
        return 2;
      }
    },
  };
}
