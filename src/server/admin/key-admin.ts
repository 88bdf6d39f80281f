import type { ControlErrorCode } from '../../errors/codes.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { AdminEvent, ProviderKeyRow } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { keyAgeDays, keyAgeWarning, type KeyAgeWarning } from '../../pipeline/upstream/key-age.js';
import type { KeyState, PoolKey } from '../../pipeline/upstream/key-pool.js';
import type { FleetView, PoolSync, SecretHandleLike } from '../../pipeline/upstream/pool-sync.js';
import type { ProviderRuntime } from '../../pipeline/upstream/providers.js';

export type { SecretHandleLike } from '../../pipeline/upstream/pool-sync.js';

/** What the admin API shows of a key: metadata and counters, never the secret or its value. */
export interface KeyView {
  provider: string;
  label: string;
  state: KeyState;
  weight: number;
  source: 'config' | 'admin';
  createdAtMs: number | null;
  ageDays: number | null;
  ageWarning: KeyAgeWarning;
  stateChangedAtMs: number;
  inFlight: number;
  /** Calls leased since start, in flight ones included. */
  calls: number;
  /** Completed calls that succeeded / failed (a call in flight counts in neither). */
  successes: number;
  failures: number;
  circuit: { state: 'closed' | 'open' | 'half_open'; openUntilMs: number | null };
  /** After a change: the other replicas, and how many have not applied it yet. */
  fleet?: FleetView;
}

export interface KeyAdminFailure {
  failure: { code: ControlErrorCode; message: string };
}

export interface KeyAdminDeps {
  providers: ReadonlyMap<string, ProviderRuntime>;
  /** The store-backed pool state: every change is written there first. */
  sync: PoolSync;
  /** How long a change waits for the other replicas to apply it before answering. */
  fleetWaitMs: number;
  clock: Clock;
  log: Logger;
  /** Resolves a reference for a key added at run time (held in memory only, audited). */
  resolve: (ref: string, component: string) => Promise<SecretHandleLike>;
  /** The operator event log: every change is recorded there (and logged at `info`). */
  events: { appendAdminEvent(event: AdminEvent): Promise<void> };
}

const fail = (code: ControlErrorCode, message: string): KeyAdminFailure => ({
  failure: { code, message },
});

export function isFailure<T>(value: T | KeyAdminFailure): value is KeyAdminFailure {
  return typeof value === 'object' && value !== null && 'failure' in value;
}

/**
 * The provider-key lifecycle on a running gateway: add a key, change its weight, move it
 * through `active` → `draining` (no new requests; in-flight ones finish) → `revoked` (never
 * used again; its secret is dropped from memory). Each change is decided on the store's latest
 * state, written to the store (conditional on the provider's version, so two replicas never
 * overwrite each other's change), applied here, and answered once the other replicas run with
 * it (docs/rotation.md). The config file is not rewritten.
 */
export function createKeyAdmin(deps: KeyAdminDeps) {
  // Long by design: add, update and drain share the pool view and the fleet wait; each method
  // is short.
  /** Keys whose last state change the whole fleet has not been seen to apply yet. */
  const unconfirmed = new WeakSet<PoolKey>();

  function view(provider: ProviderRuntime, key: PoolKey): KeyView {
    const nowMs = deps.clock.now();
    const ageDays = keyAgeDays(key, nowMs);
    return {
      provider: provider.id,
      label: key.label,
      state: key.state,
      weight: key.weight,
      source: key.source,
      createdAtMs: key.createdAtMs,
      ageDays,
      ageWarning: keyAgeWarning(ageDays),
      stateChangedAtMs: key.stateChangedAtMs,
      inFlight: key.inFlight,
      calls: key.calls,
      successes: key.successes,
      failures: key.failures,
      circuit: {
        state: key.circuit.state,
        openUntilMs: key.circuit.state === 'open' ? key.circuit.openUntilMs : null,
      },
    };
  }

  async function audit(
    provider: string,
    label: string,
    action: string,
    detail: string,
    actor: string,
  ) {
    const timeMs = deps.clock.now();
    deps.log.info({ event: 'provider_key_changed', provider, key: label, action, detail, actor });
    await deps.events.appendAdminEvent({
      timeMs,
      actor,
      action,
      target: `provider:${provider}/${label}`,
      detail,
    });
  }

  function find(providerId: string, label?: string) {
    const provider = deps.providers.get(providerId);
    if (provider === undefined) return fail('provider_not_found', `No provider "${providerId}".`);
    if (label === undefined) return { provider, key: undefined };
    const key = provider.pool.get(label);
    if (key === undefined)
      return fail('provider_key_not_found', `No key "${label}" on ${providerId}.`);
    return { provider, key };
  }

  /** Would this change leave the provider without any active key carrying weight? */
  function isLastActive(
    provider: ProviderRuntime,
    key: PoolKey,
    next: { state: KeyState; weight: number },
  ) {
    const stillServes = next.state === 'active' && next.weight > 0;
    return (
      !stillServes &&
      key.state === 'active' &&
      key.weight > 0 &&
      !provider.pool.keys.some((k) => k !== key && k.state === 'active' && k.weight > 0)
    );
  }

  /** Why a change may not happen, or undefined. */
  function refusal(
    provider: ProviderRuntime,
    key: PoolKey,
    next: { state: KeyState; weight: number },
    isForced: boolean,
  ): KeyAdminFailure | undefined {
    if (key.state === 'revoked' && next.state !== 'revoked') {
      return fail('provider_key_revoked', `Key "${key.label}" is revoked; add a new key instead.`);
    }
    if (isLastActive(provider, key, next) && !isForced) {
      return fail(
        'last_active_key',
        `"${key.label}" is the last active key of ${provider.id}; add another first (or force).`,
      );
    }
    return undefined;
  }

  /** The row a change writes: the key as it is, with the new state and weight. */
  function rowOf(
    provider: ProviderRuntime,
    key: PoolKey,
    next: { state: KeyState; weight: number },
    actor: string,
  ): Omit<ProviderKeyRow, 'version'> {
    return {
      provider: provider.id,
      label: key.label,
      ref: key.ref ?? null,
      source: key.source,
      state: next.state,
      weight: next.weight,
      createdAtMs: key.createdAtMs,
      updatedAtMs: deps.clock.now(),
      actor,
    };
  }

  /**
   * Waits (bounded) until the other replicas applied `version`; the first time the whole fleet
   * is seen running a key's new state, that moment becomes its `stateChangedAtMs`, so a request
   * that started later, on any replica, could not pick a key leaving the pool.
   */
  async function settled(
    provider: ProviderRuntime,
    key: PoolKey,
    version: number,
    idle?: { timeoutMs: number },
  ): Promise<KeyView> {
    const fleet = await deps.sync.awaitFleet(version, {
      timeoutMs: idle?.timeoutMs ?? deps.fleetWaitMs,
      ...(idle === undefined ? {} : { idleKey: { provider: provider.id, label: key.label } }),
    });
    if (fleet.pending === 0 && unconfirmed.has(key)) {
      unconfirmed.delete(key);
      key.stateChangedAtMs = deps.clock.now();
    }
    const shown = view(provider, key);
    return { ...shown, inFlight: shown.inFlight + fleet.inFlight, fleet };
  }

  async function auditChange(
    provider: ProviderRuntime,
    label: string,
    before: { state: KeyState; weight: number },
    next: { state: KeyState; weight: number },
    actor: string,
  ) {
    if (before.weight !== next.weight) {
      const detail = `${before.weight}->${next.weight}`;
      await audit(provider.id, label, 'provider_key_weight', detail, actor);
    }
    if (before.state !== next.state) {
      const detail = `${before.state}->${next.state}`;
      await audit(provider.id, label, 'provider_key_state', detail, actor);
    }
  }

  async function add(
    providerId: string,
    input: { label: string; apiKey: string; weight: number; createdAtMs: number | null },
    actor: string,
  ): Promise<KeyView | KeyAdminFailure> {
    const found = find(providerId);
    if (isFailure(found)) return found;
    let handle: SecretHandleLike;
    try {
      handle = await deps.resolve(input.apiKey, `provider:${providerId}/${input.label}`);
    } catch {
      return fail(
        'secret_unavailable',
        `The reference ${input.apiKey} did not resolve in the gateway.`,
      );
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      await deps.sync.refresh();
      const fresh = find(providerId);
      if (isFailure(fresh)) return fresh;
      const { provider } = fresh;
      if (provider.pool.get(input.label) !== undefined) {
        return fail('provider_key_exists', `Key "${input.label}" already exists on ${providerId}.`);
      }
      const nowMs = deps.clock.now();
      const row = {
        provider: providerId,
        label: input.label,
        ref: input.apiKey,
        source: 'admin' as const,
        state: 'active' as const,
        weight: input.weight,
        createdAtMs: input.createdAtMs ?? nowMs,
        updatedAtMs: nowMs,
        actor,
      };
      const stored = await deps.sync.write(row, deps.sync.versionOf(providerId), handle);
      if (stored === undefined) continue;
      const key = provider.pool.get(input.label) as PoolKey;
      await audit(providerId, key.label, 'provider_key_added', `weight=${key.weight}`, actor);
      return settled(provider, key, stored.version);
    }
    return conflict(providerId);
  }

  async function update(
    providerId: string,
    label: string,
    change: { weight?: number | undefined; state?: KeyState | undefined; isForced?: boolean },
    actor: string,
  ): Promise<KeyView | KeyAdminFailure> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      await deps.sync.refresh();
      const found = find(providerId, label);
      if (isFailure(found)) return found;
      const { provider } = found;
      const key = found.key as PoolKey;
      const before = { state: key.state, weight: key.weight };
      const next = { state: change.state ?? key.state, weight: change.weight ?? key.weight };
      const refused = refusal(provider, key, next, change.isForced === true);
      if (refused !== undefined) return refused;
      const version = deps.sync.versionOf(providerId);
      if (next.state === before.state && next.weight === before.weight) {
        return settled(provider, key, version);
      }
      const stored = await deps.sync.write(rowOf(provider, key, next, actor), version);
      if (stored === undefined) continue;
      if (next.state !== before.state) unconfirmed.add(key);
      await auditChange(provider, label, before, next, actor);
      return settled(provider, key, stored.version);
    }
    return conflict(providerId);
  }

  /**
   * Resolves when no call is in flight on the key here or on any other replica, or with the
   * count left after `timeoutMs`.
   */
  async function waitIdle(
    providerId: string,
    label: string,
    timeoutMs: number,
  ): Promise<KeyView | KeyAdminFailure> {
    const found = find(providerId, label);
    if (isFailure(found)) return found;
    const key = found.key as PoolKey;
    if (key.state === 'active') {
      return fail('provider_key_active', `Key "${label}" is active; drain it first.`);
    }
    const startedMs = deps.clock.monotonicMs();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      key.whenIdle(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    const leftMs = Math.max(0, timeoutMs - (deps.clock.monotonicMs() - startedMs));
    return settled(found.provider, key, deps.sync.versionOf(providerId), { timeoutMs: leftMs });
  }

  /** A store failure answers 503: the change may or may not be stored, so nothing is assumed. */
  function guarded<A extends unknown[]>(
    fn: (...args: A) => Promise<KeyView | KeyAdminFailure>,
  ): (...args: A) => Promise<KeyView | KeyAdminFailure> {
    return async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (!isGatewayError(err) || err.code !== 'store_unavailable') throw err;
        deps.log.error({ event: 'provider_key_store_failed', err });
        return fail(
          'store_unavailable',
          'The store holding provider-key state did not answer; list the keys, then try again.',
        );
      }
    };
  }

  return {
    list(): { id: string; keys: KeyView[] }[] {
      return [...deps.providers.values()].map((p) => ({
        id: p.id,
        keys: p.pool.keys.map((k) => view(p, k)),
      }));
    },
    /** Reads the store's latest pool state, so a list through any replica shows the fleet's. */
    refresh: () => deps.sync.refresh(),
    add: guarded(add),
    update: guarded(update),
    waitIdle: guarded(waitIdle),
    /** A key's secret source reloaded: keys added at run time follow it too. */
    onSecretChanged(ref: string): void {
      deps.sync.onSecretChanged(ref);
    },
  };
}

/** Tries of a change that another replica's write overtook, before answering 409. */
const ATTEMPTS = 3;

function conflict(providerId: string): KeyAdminFailure {
  return fail(
    'provider_key_conflict',
    `Other changes to ${providerId}'s keys kept coming first; list the keys, then try again.`,
  );
}

export type KeyAdmin = ReturnType<typeof createKeyAdmin>;
