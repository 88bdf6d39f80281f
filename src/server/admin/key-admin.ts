import type { ControlErrorCode } from '../../errors/codes.js';
import type { Logger } from '../../log/logger.js';
import { Secret } from '../../log/secret.js';
import type { AdminEvent } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { CircuitRegistry } from '../../pipeline/upstream/circuit.js';
import { keyAgeDays, keyAgeWarning, type KeyAgeWarning } from '../../pipeline/upstream/key-age.js';
import { PoolKey, type KeyState } from '../../pipeline/upstream/key-pool.js';
import type { ProviderRuntime } from '../../pipeline/upstream/providers.js';

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
}

export interface KeyAdminFailure {
  failure: { code: ControlErrorCode; message: string };
}

/** A secret that follows reloads (the secrets resolver's handle). */
export interface SecretHandleLike {
  current(): Secret;
}

export interface KeyAdminDeps {
  providers: ReadonlyMap<string, ProviderRuntime>;
  circuits: CircuitRegistry;
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
 * used again; its secret is dropped from memory). Changes apply to this process at once and
 * are not written back to the config file (docs/rotation.md).
 */
export function createKeyAdmin(deps: KeyAdminDeps) {
  // Long by design: add, update and drain share the key handles and the pool view; each
  // method is short.
  const handles = new Map<PoolKey, SecretHandleLike>();

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

  return {
    list(): { id: string; keys: KeyView[] }[] {
      return [...deps.providers.values()].map((p) => ({
        id: p.id,
        keys: p.pool.keys.map((k) => view(p, k)),
      }));
    },

    async add(
      providerId: string,
      input: { label: string; apiKey: string; weight: number; createdAtMs: number | null },
      actor: string,
    ): Promise<KeyView | KeyAdminFailure> {
      const found = find(providerId);
      if (isFailure(found)) return found;
      const { provider } = found;
      if (provider.pool.get(input.label) !== undefined) {
        return fail('provider_key_exists', `Key "${input.label}" already exists on ${providerId}.`);
      }
      let handle: SecretHandleLike;
      try {
        handle = await deps.resolve(input.apiKey, `provider:${providerId}/${input.label}`);
      } catch {
        return fail(
          'secret_unavailable',
          `The reference ${input.apiKey} did not resolve in the gateway.`,
        );
      }
      const nowMs = deps.clock.now();
      const key = new PoolKey(
        providerId,
        {
          label: input.label,
          secret: handle.current(),
          ref: input.apiKey,
          weight: input.weight,
          state: 'active',
          createdAtMs: input.createdAtMs ?? nowMs,
          source: 'admin',
        },
        deps.circuits.circuit(`${providerId}/${input.label}`),
        nowMs,
      );
      handles.set(key, handle);
      provider.pool.add(key);
      await audit(providerId, key.label, 'provider_key_added', `weight=${key.weight}`, actor);
      return view(provider, key);
    },

    async update(
      providerId: string,
      label: string,
      change: { weight?: number | undefined; state?: KeyState | undefined; isForced?: boolean },
      actor: string,
    ): Promise<KeyView | KeyAdminFailure> {
      const found = find(providerId, label);
      if (isFailure(found)) return found;
      const { provider } = found;
      const key = found.key as PoolKey;
      const next = { state: change.state ?? key.state, weight: change.weight ?? key.weight };
      if (key.state === 'revoked' && next.state !== 'revoked') {
        return fail('provider_key_revoked', `Key "${label}" is revoked; add a new key instead.`);
      }
      if (isLastActive(provider, key, next) && change.isForced !== true) {
        return fail(
          'last_active_key',
          `"${label}" is the last active key of ${providerId}; add another first (or force).`,
        );
      }
      if (next.weight !== key.weight) {
        const detail = `${key.weight}->${next.weight}`;
        key.weight = next.weight;
        await audit(providerId, label, 'provider_key_weight', detail, actor);
      }
      if (next.state !== key.state) {
        const detail = `${key.state}->${next.state}`;
        key.state = next.state;
        key.stateChangedAtMs = deps.clock.now();
        if (next.state === 'revoked') {
          // In-flight calls already hold the value they need; nothing new may use it.
          key.secret = new Secret('');
          handles.delete(key);
        }
        await audit(providerId, label, 'provider_key_state', detail, actor);
      }
      return view(provider, key);
    },

    /** Resolves when no call is in flight on the key, or with the count left after `timeoutMs`. */
    async waitIdle(
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
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        key.whenIdle(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
      return view(found.provider, key);
    },

    /** A key's secret source reloaded: keys added at run time follow it too. */
    onSecretChanged(ref: string): void {
      for (const [key, handle] of handles) if (key.ref === ref) key.secret = handle.current();
    },
  };
}

export type KeyAdmin = ReturnType<typeof createKeyAdmin>;
