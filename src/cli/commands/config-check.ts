import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { CONFIG_FLAGS, loadCliConfig } from '../config-flags.js';

export const command: CliCommand = {
  name: 'config check',
  run(args, io) {
    const { values } = parseArgs({ args, options: CONFIG_FLAGS });
    const loaded = loadCliConfig(values, io.env, io.cwd);
    io.stdout.write(
      `${JSON.stringify({ isMockMode: loaded.isMockMode, config: loaded.config }, null, 2)}\n`,
    );
    return Promise.resolve(0);
  },
};
