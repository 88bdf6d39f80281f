import { z } from 'zod';
import type { AdminCall } from '../admin-client.js';
import { UsageError } from '../command.js';

/** A key as `GET /admin/providers` shows it (parsed once, here). */
export const keyViewSchema = z.object({
  provider: z.string(),
  label: z.string(),
  state: z.enum(['active', 'draining', 'revoked']),
  weight: z.number(),
  source: z.enum(['config', 'admin']),
  createdAtMs: z.number().nullable(),
  ageDays: z.number().nullable(),
  ageWarning: z.enum(['over_60_days', 'over_90_days']).nullable(),
  stateChangedAtMs: z.number(),
  inFlight: z.number(),
  calls: z.number(),
  successes: z.number(),
  failures: z.number(),
  circuit: z.object({ state: z.enum(['closed', 'open', 'half_open']) }).loose(),
  /** After a change: the other replicas, and how many have not applied it yet. */
  fleet: z.object({ replicas: z.number(), pending: z.number(), inFlight: z.number() }).optional(),
});
export type KeyViewDto = z.infer<typeof keyViewSchema>;

const listSchema = z.object({
  data: z.array(z.object({ id: z.string(), keys: z.array(keyViewSchema) })),
});
const usageSchema = z.object({ byKey: z.record(z.string(), z.number()), scannedRows: z.number() });

/** The admin API answered something else than expected: exit 1 with its code and message. */
export class AdminCallError extends Error {
  override readonly name = 'AdminCallError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`admin API answered ${status}`);
  }
}

export async function expectOk<T>(
  call: AdminCall,
  schema: z.ZodType<T>,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const result = await call(method, path, body);
  if (result.status < 200 || result.status > 299)
    throw new AdminCallError(result.status, result.body);
  const parsed = schema.safeParse(result.body);
  if (!parsed.success) throw new AdminCallError(result.status, result.body);
  return parsed.data;
}

export async function listKeys(call: AdminCall, provider: string): Promise<KeyViewDto[]> {
  const { data } = await expectOk(call, listSchema, 'GET', '/admin/providers');
  const found = data.find((p) => p.id === provider);
  if (found === undefined) throw new UsageError(`no provider "${provider}" on this gateway`);
  return found.keys;
}

export function keyPath(provider: string, label: string): string {
  return `/admin/providers/${encodeURIComponent(provider)}/keys/${encodeURIComponent(label)}`;
}

export async function usageSince(
  call: AdminCall,
  provider: string,
  sinceMs: number,
): Promise<{ byKey: Record<string, number>; scannedRows: number }> {
  const path = `/admin/providers/${encodeURIComponent(provider)}/usage?sinceMs=${sinceMs}`;
  return expectOk(call, usageSchema, 'GET', path);
}

/** `500ms`, `5s`, `2m` → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d{1,7})(ms|s|m)$/.exec(value);
  if (m === null) throw new UsageError(`${flag} must be a duration like 500ms, 5s or 2m`);
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
}

/** Traffic percentages for the new key before the full cut-over, e.g. `10,50`. */
export function parseSteps(value: string): number[] {
  if (value.trim() === '') return [];
  const steps = value.split(',').map((s) => Number(s.trim()));
  if (steps.some((p) => !Number.isInteger(p) || p < 1 || p > 99)) {
    throw new UsageError('--steps takes percentages from 1 to 99, e.g. 10,50 (or "" for none)');
  }
  return steps;
}
