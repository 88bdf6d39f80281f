#!/usr/bin/env node
import { COMMANDS } from './commands.js';
import { runCli } from './main.js';

// `bastion keys list | head -1`: the reader left, which is not a failure. Node ignores SIGPIPE,
// so the next write fails with EPIPE; end quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

const code = await runCli(process.argv.slice(2), COMMANDS, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
