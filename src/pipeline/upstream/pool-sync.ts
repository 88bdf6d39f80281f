import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger.js';
import { Secret } from '../../log/secret.js';
import type { ProviderKeyRow, ProviderKeyStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { CircuitRegistry } from './circuit.js';
import { PoolKey } from './key-pool.js';
import type { ProviderRuntime } from './providers.js';

/** A secret that follows reloads (the secrets resolver's handle). */
export interface SecretHandleLike {
  current(): Secret;
}

export interface PoolSyncDeps {
  store: ProviderKeyStore;
  providers: ReadonlyMap<string, ProviderRuntime>;
  circuits: CircuitRegistry;
  /** Resolves the reference of a key added at run time, on this replica. */
  resolve: (ref: string, component: string) => Promise<SecretHandleLike>;
  clock: Clock;
  log: Logger;
}

export interface PoolSyncOptions {
  pollMs: number;
  /** A replica that has not reported for this long is gone (or refusing traffic: stale store). */
  replicaStaleMs: number;
}

/** Where the fleet stands on one change. */
export interface FleetView {
  /** Other replicas reporting. */
  replicas: number;
  /** Of those, how many have not applied the change yet. */
  pending: number;
  /** Calls in flight on the awaited key on the other replicas. */
  inFlight: number;
}

export type PoolSync = ReturnType<typeof createPoolSync>;

const keyId = (provider: string, label: string) => `${provider}/${label}`;

/**
 * Provider-key pools backed by the store (issue 15): admin changes are written to the store
 * before they apply here, and every replica polls the store's version every `pollMs`, applying
 * what changed to its in-memory pools (the hot path reads memory only). Config decides which
 * keys exist; the store holds their lifecycle (state, weight), and keys added at run time by
 * reference, which each replica resolves itself. A row whose key is no longer in the config is
 * ignored and reported. Each replica reports the version it runs with and its calls in flight
 * on keys leaving the pool, so an admin change can wait until the whole fleet follows it.
 */
export function createPoolSync(deps: PoolSyncDeps, opts: PoolSyncOptions) {
  // Long by design: the poll, the apply and the fleet wait share the rows read last.
  const replicaId = `r_${randomBytes(8).toString('hex')}`;
  const log = deps.log;
  const handles = new Map<string, SecretHandleLike>();
  const reported = new Set<string>();
  let rows: ProviderKeyRow[] = [];
  let applied = -1;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let isFailing = false;

  function reportOnce(key: string, entry: Record<string, unknown>, level: 'warn' | 'error') {
    if (reported.has(key)) return;
    reported.add(key);
    log[level](entry);
  }

  /** Applies one row to the pool it names; false when it cannot (yet) be applied here. */
  function applyRow(row: ProviderKeyRow): boolean {
    const provider = deps.providers.get(row.provider);
    const key = provider?.pool.get(row.label);
    if (provider === undefined || (key === undefined && row.source === 'config')) {
      // Config decides which secrets exist: a key it no longer names stays out.
      reportOnce(
        `ignored:${keyId(row.provider, row.label)}`,
        { event: 'provider_key_state_ignored', provider: row.provider, key: row.label },
        'warn',
      );
      return true;
    }
    if (key === undefined) return adopt(provider, row);
    if (key.weight !== row.weight) key.weight = row.weight;
    if (key.state !== row.state && key.state !== 'revoked') {
      key.state = row.state;
      key.stateChangedAtMs = deps.clock.now();
      if (row.state === 'revoked') drop(key);
    }
    return true;
  }

  /** A key added at run time (here or on another replica) joins this replica's pool. */
  function adopt(provider: ProviderRuntime, row: ProviderKeyRow): boolean {
    const id = keyId(row.provider, row.label);
    const handle = handles.get(id);
    if (row.state !== 'revoked' && handle === undefined) return false;
    const nowMs = deps.clock.now();
    const key = new PoolKey(
      row.provider,
      {
        label: row.label,
        secret: handle?.current() ?? new Secret(''),
        ref: row.ref ?? undefined,
        weight: row.weight,
        state: row.state,
        createdAtMs: row.createdAtMs,
        source: 'admin',
      },
      deps.circuits.circuit(id),
      nowMs,
    );
    if (row.state === 'revoked') handles.delete(id);
    provider.pool.add(key);
    return true;
  }

  /** A revoked key is never used again: its secret leaves memory (calls in flight hold theirs). */
  function drop(key: PoolKey) {
    key.secret = new Secret('');
    handles.delete(keyId(key.providerId, key.label));
  }

  /** Resolves the references of run-time keys this replica has not resolved yet. */
  async function resolveNew(list: readonly ProviderKeyRow[]) {
    for (const row of list) {
      const id = keyId(row.provider, row.label);
      const provider = deps.providers.get(row.provider);
      if (row.source !== 'admin' || row.state === 'revoked' || row.ref === null) continue;
      if (provider === undefined || provider.pool.get(row.label) !== undefined) continue;
      if (handles.has(id)) continue;
      try {
        handles.set(id, await deps.resolve(row.ref, `provider:${id}`));
      } catch {
        reportOnce(
          `unresolved:${id}:${row.version}`,
          { event: 'provider_key_unresolved', provider: row.provider, key: row.label },
          'error',
        );
      }
    }
  }

  /** Applies every row; the version applied is the highest below the first row left out. */
  function applyAll(list: readonly ProviderKeyRow[]): number {
    let upTo = list.reduce((max, r) => Math.max(max, r.version), 0);
    for (const row of list) if (!applyRow(row)) upTo = Math.min(upTo, row.version - 1);
    return upTo;
  }

  async function read(): Promise<void> {
    const version = await deps.store.providerKeysVersion();
    if (version === applied) return;
    const list = await deps.store.listProviderKeys();
    await resolveNew(list);
    rows = list;
    applied = applyAll(list);
  }

  /** One store read at a time: a poll and an admin call never interleave their applies. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  }

  function busy(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of deps.providers.values())
      for (const k of p.pool.keys)
        if (k.state !== 'active' && k.inFlight > 0) out[keyId(p.id, k.label)] = k.inFlight;
    return out;
  }

  async function tick(): Promise<void> {
    try {
      await serial(read);
      await deps.store.reportPoolReplica({
        replicaId,
        appliedVersion: applied,
        busy: busy(),
        seenAtMs: deps.clock.now(),
      });
      if (isFailing) log.info({ event: 'provider_key_poll_recovered' });
      isFailing = false;
    } catch (err) {
      if (!isFailing) log.error({ event: 'provider_key_poll_failed', err });
      isFailing = true;
    }
  }

  return {
    replicaId,

    /** Loads the store's pool state before the gateway serves, then polls it. */
    async start(): Promise<void> {
      await serial(read);
      await tick();
      timer = setInterval(() => void tick(), opts.pollMs);
      timer.unref();
    },

    /** Stops polling and reports this replica gone, so no admin call waits for it. */
    async stop(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await deps.store
        .reportPoolReplica({ replicaId, appliedVersion: applied, busy: {}, seenAtMs: 0 })
        .catch(() => undefined);
    },

    /** Reads the store now if its version moved (an admin call does, before it decides). */
    refresh: (): Promise<void> => serial(read),

    /** The provider's version as applied here: the expected version of a write. */
    versionOf(provider: string): number {
      return rows.reduce((max, r) => (r.provider === provider ? Math.max(max, r.version) : max), 0);
    },

    /**
     * Writes a key's lifecycle to the store if the provider is still at `expectedVersion`, then
     * applies it here; undefined when another replica wrote first. A key added at run time
     * passes its resolved handle.
     */
    write(
      row: Omit<ProviderKeyRow, 'version'>,
      expectedVersion: number,
      handle?: SecretHandleLike,
    ): Promise<ProviderKeyRow | undefined> {
      return serial(async () => {
        const stored = await deps.store.putProviderKey(row, expectedVersion);
        if (stored === undefined) return undefined;
        if (handle !== undefined) handles.set(keyId(row.provider, row.label), handle);
        rows = [
          ...rows.filter((r) => r.provider !== row.provider || r.label !== row.label),
          stored,
        ];
        applyRow(stored);
        return stored;
      });
    },

    /** A config reload rebuilt some pools from the file: the store's lifecycle goes back on. */
    reapply(): void {
      applyAll(rows);
    },

    /** A secret reloaded: run-time keys using that reference follow it. */
    onSecretChanged(ref: string): void {
      for (const p of deps.providers.values())
        for (const k of p.pool.keys) {
          const handle = handles.get(keyId(p.id, k.label));
          if (
            k.source === 'admin' &&
            k.ref === ref &&
            handle !== undefined &&
            k.state !== 'revoked'
          )
            k.secret = handle.current();
        }
    },

    /**
     * Waits until every other replica reporting has applied `version` and, with `idleKey`,
     * has no call in flight on that key; or until `timeoutMs`. What it saw last.
     */
    async awaitFleet(
      version: number,
      wait: { idleKey?: { provider: string; label: string }; timeoutMs: number },
    ): Promise<FleetView> {
      const deadline = deps.clock.monotonicMs() + wait.timeoutMs;
      const idle = wait.idleKey && keyId(wait.idleKey.provider, wait.idleKey.label);
      for (;;) {
        const seen = await deps.store.listPoolReplicas(deps.clock.now() - opts.replicaStaleMs);
        const others = seen.filter((r) => r.replicaId !== replicaId);
        const view: FleetView = {
          replicas: others.length,
          pending: others.filter((r) => r.appliedVersion < version).length,
          inFlight: idle === undefined ? 0 : others.reduce((n, r) => n + (r.busy[idle] ?? 0), 0),
        };
        if ((view.pending === 0 && view.inFlight === 0) || deps.clock.monotonicMs() >= deadline)
          return view;
        // Replicas report every pollMs; a few reads per interval see each report soon.
        await sleep(Math.max(10, Math.floor(opts.pollMs / 5)));
      }
    },
  };
}
