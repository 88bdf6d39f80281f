#!/usr/bin/env node
import { COMMANDS } from './commands.js';
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2), COMMANDS, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
