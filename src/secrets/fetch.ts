import { isGatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../log/logger.js';
import type { Secret } from '../log/secret.js';
import type { Scrubber } from '../log/scrub.js';
import type { Clock } from '../util/clock.js';
import { secretError } from './errors.js';
import type {
  RetrievalTrigger,
  SecretRef,
  SecretRetrieval,
  SecretScheme,
  AnySecretSource,
  SourceValue,
} from './types.js';

/** Config section that enables each scheme, for the "not configured" message. */
const SECTION: Record<SecretScheme, string> = {
  env: 'env',
  file: 'file',
  vault: 'secrets.vault',
  hcv: 'secrets.hashicorp',
  aws: 'secrets.aws',
  azure: 'secrets.azure',
  gcp: 'secrets.gcp',
};

export interface FetcherDeps {
  sources: ReadonlyMap<SecretScheme, AnySecretSource>;
  log: Logger;
  clock: Clock;
  scrubber: Scrubber;
  onRetrieval: ((retrieval: SecretRetrieval) => void) | undefined;
  isClosed(): boolean;
}

export type Fetch = (
  ref: SecretRef,
  trigger: RetrievalTrigger,
  components: readonly string[],
  previous: Secret | undefined,
) => Promise<SourceValue>;

/**
 * One fetch from a source, the only path a value takes into the process: the value joins the
 * scrubber, and the retrieval is audited (log event plus hook), successful or not.
 */
export function createFetcher(deps: FetcherDeps): Fetch {
  const audit = createAuditor(deps.log, deps.onRetrieval);
  return async function fetchSecret(ref, trigger, components, previous) {
    const base = { ref: ref.raw, scheme: ref.scheme, components, trigger, atMs: deps.clock.now() };
    const started = deps.clock.monotonicMs();
    const took = () => deps.clock.monotonicMs() - started;
    try {
      const value = await sourceFor(deps, ref).resolve(ref as never, {
        component: components[0] ?? 'unknown',
      });
      deps.scrubber.addKnownSecret(value.secret.reveal());
      const isChanged =
        previous === undefined ? undefined : previous.reveal() !== value.secret.reveal();
      audit({ ...base, durationMs: took(), outcome: 'ok', version: value.version, isChanged });
      return value;
    } catch (err) {
      const typed = isGatewayError(err)
        ? err
        : secretError('secret_unavailable', ref.raw, 'the secret source failed', err);
      audit({ ...base, durationMs: took(), outcome: 'error', code: typed.code }, typed);
      throw typed;
    }
  };
}

function sourceFor(deps: FetcherDeps, ref: SecretRef): AnySecretSource {
  if (deps.isClosed())
    throw secretError('secret_unavailable', ref.raw, 'the secret resolver is closed');
  const source = deps.sources.get(ref.scheme);
  if (source === undefined) {
    const where = SECTION[ref.scheme];
    throw secretError(
      'secret_unavailable',
      ref.raw,
      `no ${ref.scheme}: source is configured; add ${where}`,
    );
  }
  return source;
}

/**
 * The audit of a retrieval: an `info` log event `secret_resolved` (or `error`
 * `secret_resolve_failed`) and the hook, which the app may send to a durable audit store.
 */
function createAuditor(log: Logger, hook: FetcherDeps['onRetrieval']) {
  return function auditRetrieval(r: SecretRetrieval, err?: unknown): void {
    const fields = {
      ref: r.ref,
      scheme: r.scheme,
      components: r.components,
      trigger: r.trigger,
      durationMs: Math.round(r.durationMs * 1000) / 1000,
    };
    if (r.outcome === 'ok') {
      log.info({ event: 'secret_resolved', ...fields, version: r.version, isChanged: r.isChanged });
    } else {
      log.error({ event: 'secret_resolve_failed', ...fields, code: r.code, err });
    }
    try {
      hook?.(r);
    } catch (hookErr) {
      log.error({ event: 'secret_audit_hook_failed', ref: r.ref, err: hookErr });
    }
  };
}
