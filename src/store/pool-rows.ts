import type { RowChecks } from './row-check.js';
import type { PoolReplica, ProviderKeyLifecycle, ProviderKeyRow } from './types.js';

/** Rows of the provider-key pool tables (migration 7), for both stores. */
export interface PoolRowParsers {
  key: (value: unknown) => ProviderKeyRow;
  replica: (value: unknown) => PoolReplica;
}

const STATES: ReadonlySet<string> = new Set(['active', 'draining', 'revoked']);
const SOURCES: ReadonlySet<string> = new Set(['config', 'admin']);

export const PROVIDER_KEY_COLUMNS =
  'provider, label, ref, source, state, weight, created_at_ms, version, updated_at_ms, actor';

/** The columns of a row to write, in `PROVIDER_KEY_COLUMNS` order without `version`. */
export function providerKeyParams(row: Omit<ProviderKeyRow, 'version'>): unknown[] {
  return [
    row.provider,
    row.label,
    row.ref,
    row.source,
    row.state,
    row.weight,
    row.createdAtMs,
    row.updatedAtMs,
    row.actor,
  ];
}

/** A replica's busy map as stored: JSON of `provider/label` → calls, positive counts only. */
export function busyJson(busy: Record<string, number>): string {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(busy)) if (Number.isSafeInteger(n) && n > 0) out[key] = n;
  return JSON.stringify(out);
}

export function poolRowParsers(c: RowChecks): PoolRowParsers {
  const { asRow, text, textOrNull, int, intOrNull } = c;
  const corrupt: (table: string, column: string) => never = c.corrupt;
  return {
    key(value) {
      const t = 'provider_key_state';
      const r = asRow(value, t);
      const state = text(r, t, 'state');
      if (!STATES.has(state)) corrupt(t, 'state');
      const source = text(r, t, 'source');
      if (!SOURCES.has(source)) corrupt(t, 'source');
      return {
        provider: text(r, t, 'provider'),
        label: text(r, t, 'label'),
        ref: textOrNull(r, t, 'ref'),
        source: source as ProviderKeyRow['source'],
        state: state as ProviderKeyLifecycle,
        weight: int(r, t, 'weight'),
        createdAtMs: intOrNull(r, t, 'created_at_ms'),
        version: int(r, t, 'version'),
        updatedAtMs: int(r, t, 'updated_at_ms'),
        actor: text(r, t, 'actor'),
      };
    },
    replica(value) {
      const t = 'provider_key_replicas';
      const r = asRow(value, t);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text(r, t, 'busy'));
      } catch {
        corrupt(t, 'busy');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        corrupt(t, 'busy');
      const busy: Record<string, number> = {};
      for (const [key, n] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) corrupt(t, 'busy');
        busy[key] = n;
      }
      return {
        replicaId: text(r, t, 'replica_id'),
        appliedVersion: int(r, t, 'applied_version'),
        busy,
        seenAtMs: int(r, t, 'seen_at_ms'),
      };
    },
  };
}
