import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';

/** Flags every command that reads the config accepts. */
export const CONFIG_FLAGS = {
  config: { type: 'string', short: 'c' },
} as const;

/** `--config`, else `BASTION_CONFIG`, else `./bastion.yaml` when present. */
export function loadCliConfig(
  values: { config?: string | undefined },
  env: NodeJS.ProcessEnv,
  cwd: string,
  overrides?: Record<string, unknown>,
): LoadedConfig {
  const file = configFilePath(values, env, cwd);
  return loadConfig({
    ...(file === undefined ? {} : { file }),
    env,
    ...(overrides ? { overrides } : {}),
  });
}

/** The config file `loadCliConfig` reads, if any. */
export function configFilePath(
  values: { config?: string | undefined },
  env: NodeJS.ProcessEnv,
  cwd: string,
): string | undefined {
  const explicit = values.config ?? env.BASTION_CONFIG;
  const fallback = resolve(cwd, 'bastion.yaml');
  return explicit !== undefined
    ? resolve(cwd, explicit)
    : existsSync(fallback)
      ? fallback
      : undefined;
}
