import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { keyAgeDays, keyAgeWarning } from '../pipeline/upstream/key-age.js';
import type { ProviderRuntime } from '../pipeline/upstream/providers.js';
import type { AuditRecord } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export interface MetricsDeps {
  providers: ReadonlyMap<string, ProviderRuntime>;
  clock: Clock;
  /** Rows waiting for the audit store (a growing queue means the store is slow or down). */
  auditQueued: () => number;
  /**
   * The configured entry a model name came through: the name itself when listed, else its
   * pattern or `passthrough`, so a caller inventing names cannot grow the label set.
   */
  modelLabel: (model: string) => string;
}

export interface Metrics {
  /** Counts one finished request from its audit record (the same facts, never text or keys). */
  record(record: AuditRecord): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * Prometheus metrics for one gateway process, in a registry of its own (no globals, so two
 * gateways in one process do not mix). Label values are bounded: endpoints, configured models
 * and providers, upstream key labels, error codes and decision names from our own registry;
 * never a caller-chosen string, a key id or a user.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  // Long by design: every metric is declared here, beside the one place that records it.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bastion_' });

  const requests = tallied(registry, {
    name: 'bastion_gateway_requests_total',
    help: 'Finished data-plane requests by endpoint, environment, provider, status and error code.',
    labelNames: ['endpoint', 'env', 'provider', 'status', 'code'],
  });
  const duration = new TalliedHistogram(registry, {
    name: 'bastion_gateway_request_duration_seconds',
    help: 'Time from the first byte of the request to the last byte of the answer.',
    labelNames: ['endpoint', 'stream'],
  });
  const upstreamDuration = new TalliedHistogram(registry, {
    name: 'bastion_upstream_request_duration_seconds',
    help: 'Time spent on the provider (retries and fallbacks included).',
    labelNames: ['provider', 'stream'],
  });
  const tokens = tallied(registry, {
    name: 'bastion_upstream_tokens_total',
    help: 'Tokens the providers reported, by configured model and kind (prompt, completion).',
    labelNames: ['provider', 'model', 'kind'],
  });
  const spend = tallied(registry, {
    name: 'bastion_budget_spend_usd_total',
    help: 'Settled cost in US dollars, by environment and configured model.',
    labelNames: ['env', 'model'],
    scale: 1e-6,
  });
  const decisions = tallied(registry, {
    name: 'bastion_gateway_decisions_total',
    help: 'Policy, guard and upstream decisions (redact, block, clamp, retry, fallback...).',
    labelNames: ['stage', 'action', 'type'],
  });

  new Gauge({
    name: 'bastion_audit_queue_records',
    help: 'Audit rows waiting to be written to the store.',
    registers: [registry],
    collect() {
      this.set(deps.auditQueued());
    },
  });
  const keyLabels = ['provider', 'key'] as const;
  new Gauge({
    name: 'bastion_provider_key_age_days',
    help: 'Whole days since an upstream key was created (keys with a known creation date).',
    labelNames: keyLabels,
    registers: [registry],
    collect() {
      this.reset();
      const nowMs = deps.clock.now();
      for (const [provider, key] of liveKeys(deps.providers)) {
        const days = keyAgeDays(key, nowMs);
        if (days !== null) this.set({ provider, key: key.label }, days);
      }
    },
  });
  new Gauge({
    name: 'bastion_provider_key_age_warning',
    help: 'Set to 1 for an upstream key past a rotation threshold (over_60_days, over_90_days).',
    labelNames: [...keyLabels, 'level'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const nowMs = deps.clock.now();
      for (const [provider, key] of liveKeys(deps.providers)) {
        const level = keyAgeWarning(keyAgeDays(key, nowMs));
        if (level !== null) this.set({ provider, key: key.label, level }, 1);
      }
    },
  });
  new Gauge({
    name: 'bastion_provider_key_state',
    help: 'Set to 1 for each upstream key in its lifecycle state (active, draining, revoked).',
    labelNames: [...keyLabels, 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, key] of allKeys(deps.providers))
        this.set({ provider, key: key.label, state: key.state }, 1);
    },
  });
  new Gauge({
    name: 'bastion_provider_key_circuit_state',
    help: 'Set to 1 for each upstream key in its breaker state (closed, open, half_open).',
    labelNames: [...keyLabels, 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, key] of allKeys(deps.providers))
        this.set({ provider, key: key.label, state: key.circuit.state }, 1);
    },
  });
  new Gauge({
    name: 'bastion_provider_key_in_flight_requests',
    help: 'Requests an upstream key is carrying now.',
    labelNames: keyLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, key] of allKeys(deps.providers))
        this.set({ provider, key: key.label }, key.inFlight);
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    record(r) {
      const endpoint = r.endpoint;
      const provider = r.provider ?? 'none';
      const env = r.env ?? 'none';
      const stream = r.isStream ? 'true' : 'false';
      requests.add(1, endpoint, env, provider, String(r.status), r.errorCode ?? 'none');
      duration.add(r.latencyMs / 1000, endpoint, stream);
      if (r.upstreamLatencyMs !== null)
        upstreamDuration.add(r.upstreamLatencyMs / 1000, provider, stream);
      if (r.model !== null) {
        const model = deps.modelLabel(r.model);
        if (r.promptTokens !== null && r.promptTokens > 0)
          tokens.add(r.promptTokens, provider, model, 'prompt');
        if (r.completionTokens !== null && r.completionTokens > 0)
          tokens.add(r.completionTokens, provider, model, 'completion');
        if (r.costMicroUsd !== null && r.costMicroUsd > 0) spend.add(r.costMicroUsd, env, model);
      }
      for (const d of r.decisions) decisions.add(1, d.stage, d.action, decisionType(d.type));
    },
  };
}

/**
 * Entries keyed by their label values (at most five), as nested maps, one level per label: a
 * lookup walks the maps with the values as given, where a joined key costs an array, a new
 * string and its hash on every call (about 4x the time for five labels). `entries` keeps them
 * in the order first seen, the order a scrape reports them in.
 */
class LabelTree<T> {
  readonly entries: T[] = [];
  #root = new Map<string, unknown>();
  readonly #depth: number;
  readonly #make: (values: string[]) => T;

  constructor(depth: number, make: (values: string[]) => T) {
    if (depth < 1 || depth > 5) throw new RangeError('A label tree has 1 to 5 labels.');
    this.#depth = depth;
    this.#make = make;
  }

  get(a: string, b = '', c = '', d = '', e = ''): T {
    const depth = this.#depth;
    let map = this.#root;
    if (depth > 1) map = down(map, a);
    if (depth > 2) map = down(map, b);
    if (depth > 3) map = down(map, c);
    if (depth > 4) map = down(map, d);
    const last = depth === 1 ? a : depth === 2 ? b : depth === 3 ? c : depth === 4 ? d : e;
    let entry = map.get(last) as T | undefined;
    if (entry === undefined) {
      entry = this.#make([a, b, c, d, e].slice(0, depth));
      map.set(last, entry);
      this.entries.push(entry);
    }
    return entry;
  }

  clear(): void {
    this.#root = new Map();
    this.entries.length = 0;
  }
}

function down(map: Map<string, unknown>, value: string): Map<string, unknown> {
  let next = map.get(value) as Map<string, unknown> | undefined;
  if (next === undefined) {
    next = new Map();
    map.set(value, next);
  }
  return next;
}

/** Adds to the entry of these label values, given in the order of the metric's `labelNames`. */
type AddFn = (amount: number, a: string, b?: string, c?: string, d?: string, e?: string) => void;

/**
 * A counter whose hot-path increments are sums in a `LabelTree` (well under 0.1 µs, against
 * about 1 µs for prom-client's label hashing and checks); the sums move into the prom-client
 * counter when it is scraped.
 */
function tallied(
  registry: Registry,
  spec: { name: string; help: string; labelNames: string[]; scale?: number },
): { add: AddFn } {
  const pending = new LabelTree(spec.labelNames.length, (values) => ({ values, amount: 0 }));
  const scale = spec.scale ?? 1;
  new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    collect() {
      for (const entry of pending.entries) {
        if (entry.amount === 0) continue;
        const labels: Record<string, string> = {};
        spec.labelNames.forEach((name, i) => (labels[name] = entry.values[i] ?? ''));
        this.inc(labels, entry.amount * scale);
        entry.amount = 0;
      }
    },
  });
  return {
    add(amount, a, b, c, d, e) {
      pending.get(a, b, c, d, e).amount += amount;
    },
  };
}

interface Tally {
  labels: Record<string, string>;
  /** Observations per bucket of `LATENCY_BUCKETS` (not cumulative), then past the last. */
  counts: number[];
  sum: number;
  count: number;
}

/** One sample as prom-client's registry renders it: `labels` first, then the label set. */
interface HistogramSample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/**
 * A latency histogram whose hot-path observations are counted in a map keyed by the joined
 * label values, as `tallied` does for counters (prom-client validates and hashes the labels and
 * turns the bucket bound into a string on every observe). A scrape reads them out in
 * prom-client's own histogram shape, so the exposition is the same.
 */
class TalliedHistogram extends Histogram {
  readonly #tallies: LabelTree<Tally>;
  readonly #spec: { name: string; help: string; labelNames: string[] };

  constructor(registry: Registry, spec: { name: string; help: string; labelNames: string[] }) {
    super({ ...spec, buckets: LATENCY_BUCKETS, registers: [registry] });
    this.#spec = spec;
    this.#tallies = new LabelTree(spec.labelNames.length, (values) => {
      const labels: Record<string, string> = {};
      spec.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      const counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
      return { labels, counts, sum: 0, count: 0 };
    });
  }

  add(seconds: number, a: string, b?: string): void {
    if (!Number.isFinite(seconds)) return;
    const tally = this.#tallies.get(a, b);
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) {
      bucket++;
    }
    tally.counts[bucket] = (tally.counts[bucket] ?? 0) + 1;
    tally.sum += seconds;
    tally.count += 1;
  }

  /**
   * Replaces prom-client's `Histogram.getForPromString`, in its shape: the registry renders
   * this, and `get()` builds on it.
   */
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    values: HistogramSample[];
  }> {
    const { name, help } = this.#spec;
    const values: HistogramSample[] = [];
    for (const { labels: sharedLabels, counts, sum, count } of this.#tallies.entries) {
      const metricName = `${name}_bucket`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += counts[i] ?? 0;
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: count, metricName });
      values.push({ labels: {}, sharedLabels, value: sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels, value: count, metricName: `${name}_count` });
    }
    return Promise.resolve({ name, help, type: 'histogram', values });
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    if (#tallies in this) this.#tallies.clear();
  }
}

/**
 * Decision types are names from our own rules (`email`, `rpm`, `budget:key:daily`), except
 * where a rule set is open-ended; anything that does not look like a rule name is bucketed.
 */
function decisionType(type: string | undefined): string {
  if (type === undefined) return 'none';
  return type.length <= 48 && /^[a-z0-9_:.-]+$/.test(type) ? type : 'other';
}

function* allKeys(providers: ReadonlyMap<string, ProviderRuntime>) {
  for (const p of providers.values()) for (const key of p.pool.keys) yield [p.id, key] as const;
}

function* liveKeys(providers: ReadonlyMap<string, ProviderRuntime>) {
  for (const entry of allKeys(providers)) if (entry[1].state !== 'revoked') yield entry;
}
