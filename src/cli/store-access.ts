import { openStore } from '../app.js';
import type { Store } from '../store/types.js';
import type { CliIo } from './command.js';
import { loadCliConfig } from './config-flags.js';

/** Opens the same store a running gateway uses (same config), runs `fn`, closes it. */
export async function withStore<T>(
  values: { config?: string | undefined },
  io: CliIo,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const { config } = loadCliConfig(values, io.env, io.cwd);
  const store = openStore(config.stores, io.env);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `30d`, `12h`, `90m` or an ISO date → epoch ms. */
export function parseExpiry(value: string, nowMs: number): number | undefined {
  const rel = /^(\d{1,6})([dhm])$/.exec(value);
  if (rel !== null) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return nowMs + Number(rel[1]) * unit;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
