import type { ErrorCode } from '../errors/codes.js';
import { isGatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../log/logger.js';
import type { Secret } from '../log/secret.js';
import { scrubber as processScrubber, type Scrubber } from '../log/scrub.js';
import { systemClock, type Clock } from '../util/clock.js';
import { secretError } from './errors.js';
import { createFetcher, type Fetch } from './fetch.js';
import { parseSecretRef } from './ref.js';
import type {
  CredentialReader,
  ReloadOutcome,
  ReloadReport,
  RetrievalTrigger,
  SecretHandle,
  SecretRef,
  SecretResolver,
  SecretRetrieval,
  SecretScheme,
  AnySecretSource,
} from './types.js';

/** What a source factory may use: audited credential reads and the scrubber's first net. */
export interface SourceKit {
  readCredential: CredentialReader;
  /** Registers a token the source obtained (an OAuth access token, a Vault client token). */
  addKnownSecret(value: string): void;
}

export interface ResolverDeps {
  sources: readonly AnySecretSource[] | ((kit: SourceKit) => readonly AnySecretSource[]);
  log: Logger;
  clock?: Clock;
  scrubber?: Scrubber;
  /** The audit hook: one call per fetch from a source (never per cache hit), never with the value. */
  onRetrieval?: (retrieval: SecretRetrieval) => void;
}

export interface ResolverOptions {
  /** A held value is fetched again once it is this old; 0 keeps it until `reload()`. */
  cacheTtlMs: number;
  /** After a failed refresh the old value serves, and the next attempt waits this long. */
  retryAfterErrorMs?: number;
  /**
   * How often a timer refreshes values past their TTL, so values read as plain fields (a key
   * pool's keys) follow the TTL too. Default min(TTL, 60 s); 0 disables the timer.
   */
  refreshEveryMs?: number;
}

interface Entry {
  readonly ref: SecretRef;
  readonly components: Set<string>;
  secret: Secret;
  version: string | undefined;
  nextRefreshAtMs: number;
  inflight: Promise<boolean> | undefined;
}

function parse(raw: string): SecretRef {
  const parsed = parseSecretRef(raw);
  if ('error' in parsed) throw secretError('secret_unavailable', raw, parsed.error);
  return parsed;
}

/**
 * Dispatches references to their source by scheme, holds values in memory only, refreshes them
 * on `reload()` or TTL expiry, registers every value with the scrubber and audits every fetch
 * (see fetch.ts). A failed refresh keeps the previous value: the gateway keeps serving with a
 * key it already holds rather than failing every request while a manager is briefly down.
 */
export function createSecretResolver(deps: ResolverDeps, opts: ResolverOptions): SecretResolver {
  const clock = deps.clock ?? systemClock;
  const scrubber = deps.scrubber ?? processScrubber;
  const log = deps.log.child({ mod: 'secrets' });
  let isClosed = false;
  // The kit reads credentials through the fetcher, which needs the sources the kit builds.
  const late: { fetch?: Fetch } = {};
  const kit: SourceKit = {
    readCredential: async (raw, component) => {
      const ref = parse(raw);
      if (ref.scheme !== 'env' && ref.scheme !== 'file')
        throw secretError('secret_unavailable', raw, 'a manager credential must be env: or file:');
      return (await (late.fetch as Fetch)(ref, 'credential', [component], undefined)).secret;
    },
    addKnownSecret: (value) => scrubber.addKnownSecret(value),
  };
  const list = typeof deps.sources === 'function' ? deps.sources(kit) : deps.sources;
  const sources = new Map<SecretScheme, AnySecretSource>(list.map((s) => [s.scheme, s]));
  const fetchSecret = (late.fetch = createFetcher({
    sources,
    log,
    clock,
    scrubber,
    onRetrieval: deps.onRetrieval,
    isClosed: () => isClosed,
  }));
  const cache = createCache(fetchSecret, clock, opts);
  const every =
    opts.refreshEveryMs ?? (opts.cacheTtlMs > 0 ? Math.min(opts.cacheTtlMs, 60_000) : 0);
  const timer = every > 0 ? setInterval(() => void cache.refreshDue(), every) : undefined;
  timer?.unref();

  return {
    async resolve(raw, ctx) {
      return (await cache.entryFor(raw, ctx.component)).secret;
    },
    async handle(raw, ctx): Promise<SecretHandle> {
      const entry = await cache.entryFor(raw, ctx.component);
      return {
        ref: raw,
        current: function currentSecret() {
          if (entry.inflight === undefined && clock.now() >= entry.nextRefreshAtMs)
            cache.refresh(entry, 'ttl').catch(() => undefined);
          return entry.secret;
        },
      };
    },
    async reload() {
      for (const source of sources.values()) source.reset?.();
      const report = await cache.refreshAll();
      // Counts only: each failed ref is already logged by its `secret_resolve_failed` event.
      const summary = {
        event: 'secrets_reloaded',
        ok: report.refreshed,
        failed: report.failed.length,
        changed: report.changed.length,
      };
      if (report.failed.length === 0) log.info(summary);
      else log.warn(summary);
      return report;
    },
    onChange: cache.onChange,
    refreshDue: cache.refreshDue,
    async close() {
      isClosed = true;
      clearInterval(timer);
      await Promise.all([...sources.values()].map((s) => s.close?.() ?? Promise.resolve()));
    },
  };
}

function createCache(fetchSecret: Fetch, clock: Clock, opts: ResolverOptions) {
  // Long by design: get, refresh and reload share the entry map and the fetches in flight.
  const entries = new Map<string, Entry>();
  const first = new Map<string, Promise<Entry>>();
  const listeners = new Set<(ref: string) => void>();
  const retryMs = opts.retryAfterErrorMs ?? 30_000;
  const nextAt = (afterMs: number) =>
    opts.cacheTtlMs > 0 ? clock.now() + afterMs : Number.POSITIVE_INFINITY;

  /** Fetches again; resolves to whether the value changed. Single-flight per entry. */
  function refresh(entry: Entry, trigger: RetrievalTrigger): Promise<boolean> {
    entry.inflight ??= (async () => {
      try {
        const value = await fetchSecret(entry.ref, trigger, [...entry.components], entry.secret);
        const isChanged = value.secret.reveal() !== entry.secret.reveal();
        entry.secret = value.secret;
        entry.version = value.version;
        entry.nextRefreshAtMs = nextAt(opts.cacheTtlMs);
        if (isChanged) for (const listener of listeners) listener(entry.ref.raw);
        return isChanged;
      } catch (err) {
        entry.nextRefreshAtMs = nextAt(Math.min(opts.cacheTtlMs, retryMs));
        throw err;
      } finally {
        entry.inflight = undefined;
      }
    })();
    return entry.inflight;
  }

  async function load(raw: string, component: string): Promise<Entry> {
    const ref = parse(raw);
    const value = await fetchSecret(ref, 'start', [component], undefined);
    const entry: Entry = {
      ref,
      components: new Set([component]),
      secret: value.secret,
      version: value.version,
      nextRefreshAtMs: nextAt(opts.cacheTtlMs),
      inflight: undefined,
    };
    entries.set(raw, entry);
    return entry;
  }

  async function entryFor(raw: string, component: string): Promise<Entry> {
    const held = entries.get(raw);
    if (held !== undefined) {
      held.components.add(component);
      if (clock.now() >= held.nextRefreshAtMs) await refresh(held, 'ttl').catch(() => undefined);
      return held;
    }
    let pending = first.get(raw);
    if (pending === undefined) {
      pending = load(raw, component).finally(() => first.delete(raw));
      first.set(raw, pending);
    }
    const entry = await pending;
    entry.components.add(component);
    return entry;
  }

  async function refreshAll(): Promise<ReloadReport> {
    const outcomes = await Promise.all(
      [...entries.values()].map(async (entry): Promise<ReloadOutcome> => {
        const { raw: ref, scheme } = entry.ref;
        // A TTL refresh already under way may predate the rotation: let it end, then fetch anew.
        await entry.inflight?.catch(() => undefined);
        try {
          return { ref, scheme, outcome: 'ok', isChanged: await refresh(entry, 'reload') };
        } catch (err) {
          const code: ErrorCode = isGatewayError(err) ? err.code : 'secret_unavailable';
          return { ref, scheme, outcome: 'error', code };
        }
      }),
    );
    const failed = outcomes.flatMap((o) =>
      o.code === undefined ? [] : [{ ref: o.ref, code: o.code }],
    );
    return {
      refreshed: outcomes.length - failed.length,
      changed: outcomes.filter((o) => o.isChanged === true).map((o) => o.ref),
      failed,
      outcomes,
    };
  }

  /** TTL refreshes of every held value that is due; failures keep the old value (audited). */
  async function refreshDue(): Promise<void> {
    const due = [...entries.values()].filter(
      (e) => e.inflight === undefined && clock.now() >= e.nextRefreshAtMs,
    );
    await Promise.all(due.map((e) => refresh(e, 'ttl').catch(() => undefined)));
  }

  function onChange(listener: (ref: string) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { entryFor, refresh, refreshAll, refreshDue, onChange };
}
