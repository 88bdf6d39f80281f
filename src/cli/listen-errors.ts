import { CliFailure, UsageError } from './command.js';

/** `--port abc` is a usage error (exit 2), not a listen() stack trace. */
export function parsePort(value: string, flag: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}

/** Where a listening port comes from, so the message can name what to change. */
interface PortOrigin {
  port: number;
  what: string;
  fix: string;
}

/**
 * A listen() failure as one line naming the port and how to pick another; anything else is
 * returned unchanged. EADDRINUSE on the control plane usually means a second gateway on the
 * same machine: its port is fixed by config, not by `--port`.
 */
export function describeListenError(err: unknown, origins: readonly PortOrigin[]): unknown {
  const e = err as { code?: unknown; port?: number; address?: string } | null;
  if (e?.code !== 'EADDRINUSE' && e?.code !== 'EACCES' && e?.code !== 'EADDRNOTAVAIL') return err;
  const origin = origins.find((o) => o.port === e.port);
  const where = `${e.address ?? ''}:${e.port ?? ''}`;
  const what = origin?.what ?? 'port';
  const fix = origin === undefined ? '' : `; ${origin.fix}`;
  if (e.code === 'EADDRINUSE') {
    return new CliFailure(`${what} ${where} is already in use${fix}`);
  }
  if (e.code === 'EACCES') {
    return new CliFailure(
      `${what} ${where}: permission denied (ports below 1024 need privileges)${fix}`,
    );
  }
  return new CliFailure(`${what} ${where}: no such address on this machine${fix}`);
}
