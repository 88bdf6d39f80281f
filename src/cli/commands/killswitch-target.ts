import { ENVIRONMENTS } from '../../store/types.js';
import type { AdminCall } from '../admin-client.js';
import { UsageError } from '../command.js';
import { closest } from '../help.js';
import { AdminCallError } from './providers-shared.js';

export interface KillTarget {
  scope: 'global' | 'env' | 'provider' | 'key';
  target: string;
}

/** `global`, or a scope and its target, from positionals. */
export function parseKillTarget(positionals: string[], usage: string): KillTarget {
  const [scope, target] = positionals;
  if (scope === 'global' && positionals.length === 1) return { scope, target: '*' };
  if (
    (scope === 'env' || scope === 'provider' || scope === 'key') &&
    target !== undefined &&
    positionals.length === 2
  ) {
    return { scope, target };
  }
  throw new UsageError(usage);
}

export const killPath = (t: KillTarget) => `${t.scope}/${encodeURIComponent(t.target)}`;

/**
 * A kill switch on a target that matches no traffic reports "engaged" and stops nothing, the
 * worst failure a safety control can have. So the target must exist on the gateway: a served
 * environment, a provider it routes to, or a key in its store (a prefix becomes the key's id,
 * which is what the gateway matches on).
 */
export async function resolveKillTarget(call: AdminCall, t: KillTarget): Promise<KillTarget> {
  if (t.scope === 'global') return t;
  if (t.scope === 'env') return refuseUnknown(t, [...ENVIRONMENTS]);
  if (t.scope === 'provider') {
    const res = await call('GET', '/admin/providers');
    if (res.status !== 200) throw new AdminCallError(res.status, res.body);
    const ids = ((res.body as { data?: { id: string }[] }).data ?? []).map((p) => p.id);
    return refuseUnknown(t, ids);
  }
  const res = await call('GET', `/admin/keys/${encodeURIComponent(t.target.replace(/…$/, ''))}`);
  if (res.status === 404) {
    throw new UsageError(`no key with id or prefix "${t.target}"; see bastion keys list`);
  }
  if (res.status !== 200) throw new AdminCallError(res.status, res.body);
  return { scope: 'key', target: (res.body as { id: string }).id };
}

function refuseUnknown(t: KillTarget, valid: string[]): KillTarget {
  if (valid.includes(t.target)) return t;
  const guess = closest(t.target, valid);
  throw new UsageError(
    `unknown ${t.scope} "${t.target}"${guess === undefined ? '' : `; did you mean "${guess}"?`} (valid: ${valid.join(', ')}); nothing was engaged`,
  );
}
