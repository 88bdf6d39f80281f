import type { Logger } from '../log/logger.js';
import type { KillSwitch, KillSwitchScope, PolicyStore } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export interface KillSwitchOptions {
  pollMs: number;
  /** Past this without a successful read the state is unknown, and requests are refused. */
  maxStaleMs: number;
}

export interface KillSwitchState {
  /** Loads once; then re-reads every `pollMs` so a switch set on any replica holds everywhere. */
  start(): Promise<void>;
  stop(): void;
  isKilled(scope: KillSwitchScope, target: string): boolean;
  /** True when the last successful read is too old to trust. */
  isStale(): boolean;
  /**
   * For a request that found the state stale: one read now, shared by every request that asks
   * while it runs, and true if it made the state fresh. A poll that only missed its turn (an
   * event loop busy for longer than `maxStaleMs`) then refuses nothing; a store that is down
   * still refuses, and is asked again at most once per `pollMs`.
   */
  refreshStale(): Promise<boolean>;
  list(): readonly KillSwitch[];
  /** Engages in the store and here at once (other replicas follow within `pollMs`). */
  set(entry: KillSwitch): Promise<void>;
  clear(scope: KillSwitchScope, target: string): Promise<boolean>;
  refresh(): Promise<void>;
}

const id = (scope: KillSwitchScope, target: string) => `${scope}\u0000${target}`;

/**
 * Kill switches live in the store (they survive restarts) and in a set here (the hot path reads
 * memory only). Every replica polls the store, so a switch takes effect everywhere within one
 * poll interval; the default 500 ms keeps that under one second.
 */
export function createKillSwitchState(
  deps: {
    store: Pick<PolicyStore, 'listKillSwitches' | 'setKillSwitch' | 'clearKillSwitch'>;
    clock: Clock;
    log: Logger;
  },
  opts: KillSwitchOptions,
): KillSwitchState {
  let entries: readonly KillSwitch[] = [];
  let active = new Set<string>();
  let loadedAtMono = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let failedAtMono = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  function apply(list: readonly KillSwitch[]) {
    entries = list;
    active = new Set(list.map((e) => id(e.scope, e.target)));
    loadedAtMono = deps.clock.monotonicMs();
  }

  async function refresh(): Promise<void> {
    try {
      apply(await deps.store.listKillSwitches());
      if (failing) deps.log.info({ event: 'kill_switch_poll_recovered' });
      failing = false;
    } catch (err) {
      if (!failing) deps.log.error({ event: 'kill_switch_poll_failed', err });
      failing = true;
      failedAtMono = deps.clock.monotonicMs();
    }
  }

  return {
    async start() {
      await refresh();
      timer = setInterval(() => void refresh(), opts.pollMs);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
    },
    isKilled(scope, target) {
      return active.size > 0 && active.has(id(scope, target));
    },
    isStale() {
      return deps.clock.monotonicMs() - loadedAtMono > opts.maxStaleMs;
    },
    async refreshStale() {
      if (inFlight === undefined) {
        if (deps.clock.monotonicMs() - failedAtMono < opts.pollMs) return false;
        inFlight = refresh().finally(() => (inFlight = undefined));
      }
      await inFlight;
      return deps.clock.monotonicMs() - loadedAtMono <= opts.maxStaleMs;
    },
    list: () => entries,
    async set(entry) {
      await deps.store.setKillSwitch(entry);
      apply([
        ...entries.filter((e) => id(e.scope, e.target) !== id(entry.scope, entry.target)),
        entry,
      ]);
    },
    async clear(scope, target) {
      const was = await deps.store.clearKillSwitch(scope, target);
      apply(entries.filter((e) => id(e.scope, e.target) !== id(scope, target)));
      return was;
    },
    refresh,
  };
}
