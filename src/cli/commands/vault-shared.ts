import { resolve } from 'node:path';
import { createLogger } from '../../log/logger.js';
import { createEnvSource } from '../../secrets/env.js';
import { createFileSource } from '../../secrets/file.js';
import { createRefKekProvider } from '../../secrets/local-vault/source.js';
import { openLocalVault, type LocalVault } from '../../secrets/local-vault/vault.js';
import { parseSecretRef } from '../../secrets/ref.js';
import { createSecretResolver } from '../../secrets/resolver.js';
import { UsageError, type CliIo, type CliStdin } from '../command.js';
import { loadCliConfig } from '../config-flags.js';

/** The vault named by the config (`secrets.vault.path`), opened with its KEK (`secrets.vault.kek`). */
export async function openCliVault(
  values: { config?: string | undefined },
  io: CliIo,
): Promise<{ vault: LocalVault; path: string }> {
  const { config } = loadCliConfig(values, io.env, io.cwd);
  const path = resolve(io.cwd, config.secrets.vault.path);
  const kekRef = config.secrets.vault.kek;
  const resolver = createSecretResolver(
    {
      sources: [createEnvSource({ env: io.env }), createFileSource()],
      log: createLogger({ level: 'silent' }),
    },
    { cacheTtlMs: 0 },
  );
  const kek = await createRefKekProvider((ref, component) => resolver.resolve(ref, { component }), {
    kekRef,
    vaultPath: path,
  })();
  return { vault: openLocalVault({ kek }, { path }), path };
}

/** Checks a vault secret name the way `vault:NAME` references are checked. */
export function vaultName(positionals: string[], usage: string): string {
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw new UsageError(usage);
  const parsed = parseSecretRef(`vault:${name}`);
  if ('error' in parsed) throw new UsageError(parsed.error);
  return name;
}

const MAX_INPUT_BYTES = 64 * 1024;

/**
 * The value to store, from stdin and never from argv (argv shows in `ps` and shell history).
 * Piped input is read whole, less one trailing newline; on a terminal the input is not echoed.
 */
export async function readSecretInput(stdin: CliStdin, stderr: CliIo['stderr']): Promise<string> {
  if (stdin.isTTY === true && stdin.setRawMode !== undefined) return readHidden(stdin, stderr);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_INPUT_BYTES)
      throw new UsageError(`the value is larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

async function readHidden(stdin: CliStdin, stderr: CliIo['stderr']): Promise<string> {
  stderr.write('Value (input hidden, Enter to finish): ');
  stdin.setRawMode?.(true);
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return value;
        if (ch === '\u0003') throw new UsageError('cancelled');
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    }
    return value;
  } finally {
    stdin.setRawMode?.(false);
    stderr.write('\n');
  }
}
