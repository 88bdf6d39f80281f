import type { Logger } from '../../log/logger.js';
import type {
  AnomalyAlert,
  AnomalyKind,
  AnomalyStore,
  AuditRecord,
  Environment,
} from '../../store/types.js';
import type { AnomaliesConfig } from './config.js';
import { bump, type Counter } from './counter.js';
import { networkOf } from './network.js';
import { raiseAnomaly, type AnomalyRaiseDeps } from './raise.js';
import { counterOf, subjectOf, type Rules, type Subject, type TrackerState } from './state.js';

/** The parts of a finished request's audit record the detector reads. */
export type ObservedRequest = Pick<
  AuditRecord,
  'keyId' | 'keyPrefix' | 'env' | 'status' | 'costMicroUsd' | 'clientIp' | 'decisions'
>;

/** What the per-request path works with, built once by the tracker. */
export interface ObserveContext {
  readonly cfg: AnomaliesConfig;
  readonly raise: AnomalyRaiseDeps;
  readonly store: Pick<AnomalyStore, 'addSeenNetwork'>;
  readonly state: TrackerState;
  readonly rules: Rules;
  readonly limits: { maxSubjects: number; log: Logger };
  readonly bucketMs: number;
  readonly cooldownMs: number;
  /** Runs store work off the request path; failures are logged under `event`. */
  background(work: Promise<void>, event: string): void;
}

const MAX_NETWORKS_CACHED = 256;
const ENV_SUBJECTS: Readonly<Record<Environment, string>> = {
  dev: 'env:dev',
  staging: 'env:staging',
  prod: 'env:prod',
  ci: 'env:ci',
};

/** One finished request: O(1) counter updates, and background work only when something is new. */
export function observeRequest(
  x: ObserveContext,
  req: ObservedRequest,
  presentedKeyPrefix: string | undefined,
  nowMs: number,
): void {
  const { keyId, env } = req;
  if (keyId !== null) {
    const s = subjectOf(x.state, keyId, keyId, req.keyPrefix, env, x.limits);
    if (s !== undefined) observeKey(x, s, req, nowMs);
  }
  if (env !== null && x.cfg.perEnvironment) {
    const s = subjectOf(x.state, ENV_SUBJECTS[env], null, null, env, x.limits);
    if (s !== undefined) {
      s.lastSeenMs = nowMs;
      add(x, s, 'requests', 1, nowMs);
      const cost = req.costMicroUsd ?? 0;
      if (cost > 0) add(x, s, 'spend', cost, nowMs);
    }
  }
  if (req.status === 401 && keyId === null && x.rules.auth_failures !== undefined) {
    observeAuthFailure(x, req.clientIp, presentedKeyPrefix, nowMs);
  }
}

function observeKey(x: ObserveContext, s: Subject, req: ObservedRequest, nowMs: number): void {
  s.lastSeenMs = nowMs;
  add(x, s, 'requests', 1, nowMs);
  const cost = req.costMicroUsd ?? 0;
  if (cost > 0) add(x, s, 'spend', cost, nowMs);
  if (req.status >= 400 && isGuardRefusal(req)) add(x, s, 'refusals', 1, nowMs);
  const ip = req.clientIp;
  if (x.cfg.newNetwork.enabled && ip !== null && ip !== s.lastIp && s.keyId !== null) {
    checkNetwork(x, s, s.keyId, ip, nowMs);
  }
}

function observeAuthFailure(
  x: ObserveContext,
  ip: string | null,
  prefix: string | undefined,
  nowMs: number,
): void {
  if (ip !== null) {
    // An IPv6 prober has a /64 to rotate through: count the network, not the address.
    const source = ip.includes(':') ? (networkOf(ip, 32, 64) ?? ip) : ip;
    const s = subjectOf(x.state, `ip:${source}`, null, null, null, x.limits);
    if (s !== undefined) add(x, s, 'auth_failures', 1, (s.lastSeenMs = nowMs));
  }
  if (prefix !== undefined) {
    const s = subjectOf(x.state, `prefix:${prefix}`, null, prefix, null, x.limits);
    if (s !== undefined) add(x, s, 'auth_failures', 1, (s.lastSeenMs = nowMs));
  }
}

function add(
  x: ObserveContext,
  s: Subject,
  metric: keyof Rules,
  amount: number,
  nowMs: number,
): void {
  const rule = x.rules[metric];
  if (rule === undefined) return;
  const c = counterOf(s, metric, rule);
  const total = bump(c, amount, nowMs - (nowMs % x.bucketMs), x.cfg.alpha, x.state.carry);
  if (!c.isDirty) {
    c.isDirty = true;
    x.state.dirty.push(c);
  }
  if (total >= c.threshold) spike(x, s, c, total, nowMs);
}

function spike(x: ObserveContext, s: Subject, c: Counter, total: number, nowMs: number): void {
  const window = Math.floor(nowMs / x.cooldownMs);
  if (c.raisedWindow === window) return;
  c.raisedWindow = window;
  const kind = c.rule.kind;
  const alert: AnomalyAlert = {
    kind,
    subject: c.subject,
    window: `w${window}`,
    atMs: nowMs,
    keyId: s.keyId,
    keyPrefix: s.keyPrefix,
    env: s.env,
    action: s.keyId !== null && actionOf(x.cfg, kind) === 'suspend' ? 'suspend' : 'alert',
    observed: total,
    baseline: c.baseline.mean,
    threshold: c.threshold,
    network: null,
  };
  const work = raiseAnomaly(x.raise, alert).catch((err: unknown) => {
    // Not recorded (store down): the next request over the threshold tries again.
    c.raisedWindow = -1;
    throw err;
  });
  x.background(work, 'anomaly_alert_failed');
}

/**
 * A key's address changed: when its network is not in this process's cache, the store (shared
 * by every replica) decides whether the key was ever used from it.
 */
function checkNetwork(x: ObserveContext, s: Subject, keyId: string, ip: string, nowMs: number) {
  s.lastIp = ip;
  const { ipv4PrefixBits, ipv6PrefixBits, action } = x.cfg.newNetwork;
  const net = networkOf(ip, ipv4PrefixBits, ipv6PrefixBits);
  if (net === undefined) return;
  s.networks ??= new Set();
  if (s.networks.has(net)) return;
  if (s.networks.size >= MAX_NETWORKS_CACHED) s.networks.clear();
  s.networks.add(net);
  const forget = (err: unknown) => {
    s.networks?.delete(net);
    s.lastIp = undefined;
    throw err;
  };
  const work = x.store.addSeenNetwork(keyId, net, nowMs).then(async ({ isNew, known }) => {
    // The key's first network is where it lives; only a later one is news.
    if (!isNew || known === 0) return;
    await raiseAnomaly(x.raise, newNetworkAlert(s, keyId, net, nowMs, action));
  }, forget);
  x.background(work, 'anomaly_network_check_failed');
}

function actionOf(cfg: AnomaliesConfig, kind: AnomalyKind): 'alert' | 'suspend' {
  switch (kind) {
    case 'spend_spike':
      return cfg.spendSpike.action;
    case 'request_spike':
      return cfg.requestSpike.action;
    case 'guard_refusals':
      return cfg.guardRefusals.action;
    case 'new_network':
      return cfg.newNetwork.action;
    case 'auth_probing':
      return 'alert';
  }
}

/** Refused by an input or output guard (the guard stages record a `block` decision). */
function isGuardRefusal(req: ObservedRequest): boolean {
  return req.decisions.some((d) => d.action === 'block' && d.stage.startsWith('guard_'));
}

function newNetworkAlert(
  s: Subject,
  keyId: string,
  network: string,
  nowMs: number,
  action: 'alert' | 'suspend',
): AnomalyAlert {
  return {
    kind: 'new_network',
    subject: keyId,
    window: network,
    atMs: nowMs,
    keyId,
    keyPrefix: s.keyPrefix,
    env: s.env,
    action,
    observed: 0,
    baseline: 0,
    threshold: 0,
    network,
  };
}
