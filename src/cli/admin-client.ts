import { UsageError, type CliIo } from './command.js';
import { loadCliConfig } from './config-flags.js';

/** Flags of every command that talks to the admin API. */
export const ADMIN_FLAGS = {
  config: { type: 'string', short: 'c' },
  'admin-url': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface AdminCallResult {
  status: number;
  body: unknown;
}

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<AdminCallResult>;

/**
 * A client of the gateway's admin API: the URL from `--admin-url`, else `BASTION_ADMIN_URL`,
 * else the configured control plane; the token from `BASTION_ADMIN_TOKEN` (never a flag, so it
 * stays out of shell history and process lists).
 */
export function adminClient(
  values: { config?: string | undefined; 'admin-url'?: string | undefined },
  io: CliIo,
): AdminCall {
  const token = io.env.BASTION_ADMIN_TOKEN;
  if (token === undefined || token === '') {
    throw new UsageError('set BASTION_ADMIN_TOKEN to the gateway admin token');
  }
  const base = values['admin-url'] ?? io.env.BASTION_ADMIN_URL ?? configuredUrl(values, io);
  return async function call(method, path, body) {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(io.env.USER === undefined ? {} : { 'x-bastion-actor': io.env.USER }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new UsageError(`cannot reach the admin API at ${base}; is the gateway running?`);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  };
}

function configuredUrl(values: { config?: string | undefined }, io: CliIo): string {
  const { config } = loadCliConfig(values, io.env, io.cwd);
  const host = ['0.0.0.0', '::'].includes(config.controlPlane.host)
    ? '127.0.0.1'
    : config.controlPlane.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.controlPlane.port}`;
}

/** Prints the admin API's error (code and message) on stderr; exit code 1. */
export function reportAdminError(io: CliIo, result: AdminCallResult): number {
  const error = (result.body as { error?: { code?: unknown; message?: unknown } } | undefined)
    ?.error;
  const code = typeof error?.code === 'string' ? error.code : 'error';
  const message = typeof error?.message === 'string' ? error.message : '';
  io.stderr.write(`admin API ${result.status}: ${code}: ${message}\n`);
  return 1;
}
