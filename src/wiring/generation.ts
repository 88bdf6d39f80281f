import type { SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import type { LimitBackend } from '../limits/types.js';
import type { Logger } from '../log/logger.js';
import { createAuditReadyStage } from '../pipeline/audit/ready.js';
import type { AuditWriter } from '../pipeline/audit/writer.js';
import { createReadBodyStage } from '../pipeline/guard/read-body.js';
import { createValidateStage } from '../pipeline/guard/validate.js';
import { buildPipelines, type Pipelines } from '../pipeline/order.js';
import type { KillSwitchState } from '../policy/kill-switch-state.js';
import type { PolicyRuntime } from '../pipeline/policy/runtime.js';
import { createUpstreamStage, type UpstreamDeps } from '../pipeline/upstream/call.js';
import type { Upstreams } from '../pipeline/upstream/build.js';
import { createListModelsStage } from '../pipeline/upstream/list-models.js';
import { createRouteStage } from '../pipeline/upstream/route.js';
import type { Cors } from '../server/cors.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { buildPolicy } from './policy.js';
import { buildAuthenticate, buildGuard } from './stages.js';

/** What every generation of the pipelines shares: built once, at start. */
export interface GenerationShared {
  store: Store;
  audit: AuditWriter;
  upstreams: Upstreams;
  backend: LimitBackend;
  cors: Cors | undefined;
  userIdKey: Buffer | undefined;
  upstreamDeps: Partial<UpstreamDeps>;
  clock: Clock;
  log: Logger;
}

/** The pipelines and the policy runtime one configuration builds. */
export interface Generation {
  readonly pipelines: Pipelines;
  readonly policy: PolicyRuntime;
}

/**
 * Builds the stages of one configuration over the shared parts (stores, audit writer, limit
 * backend, upstream pools). At start with no previous generation; on a config reload with the
 * running one, whose kill-switch poller is kept. `upstreams` must already follow `config`.
 */
export function buildGeneration(
  config: Config,
  shared: GenerationShared,
  deps: { secretOf: SecretLookup; killSwitch?: KillSwitchState | undefined },
): Generation {
  const { store, upstreams, clock } = shared;
  const policy = buildPolicy(config, {
    store,
    backend: shared.backend,
    killSwitch: deps.killSwitch,
    models: upstreams.models,
    secretOf: deps.secretOf,
    userIdKey: shared.userIdKey,
    clock,
    log: shared.log,
  });
  const pipelines = buildPipelines({
    audit_ready: createAuditReadyStage({ writer: shared.audit }),
    authenticate: buildAuthenticate(config, { store, cors: shared.cors }),
    read_body: createReadBodyStage(),
    validate: createValidateStage(),
    ...policy.stages,
    ...buildGuard(config.guard, deps.secretOf),
    route: createRouteStage({ models: upstreams.models }),
    list_models: createListModelsStage({
      models: upstreams.models,
      createdSec: Math.floor(clock.now() / 1000),
    }),
    upstream: createUpstreamStage(shared.upstreamDeps, {
      maxResponseBytes: config.upstream.maxResponseBytes,
      retry: config.upstream.retry,
      defaultMaxOutputTokens: config.pricing.defaultMaxOutputTokens,
    }),
  });
  return { pipelines, policy };
}

/**
 * The pipelines the data plane runs: a `Pipelines` whose fields read the current generation.
 * A request takes its stage list once, when it starts, so a swap reaches the next request and
 * in-flight ones (streams included) finish on the stages they started with.
 */
export function switchablePipelines(initial: Pipelines): {
  pipelines: Pipelines;
  swap(next: Pipelines): void;
} {
  let current = initial;
  return {
    pipelines: {
      get proxy() {
        return current.proxy;
      },
      get models() {
        return current.models;
      },
    },
    swap(next) {
      current = next;
    },
  };
}

/** A `PolicyRuntime` that always answers from the current generation (admin API, tests). */
export function livePolicy(current: () => PolicyRuntime): PolicyRuntime {
  return {
    get stages() {
      return current().stages;
    },
    get model() {
      return current().model;
    },
    get killSwitch() {
      return current().killSwitch;
    },
    get backend() {
      return current().backend;
    },
    get alerts() {
      return current().alerts;
    },
    get webhook() {
      return current().webhook;
    },
    get prices() {
      return current().prices;
    },
    get tokens() {
      return current().tokens;
    },
    start: () => current().start(),
    stop: () => current().stop(),
  };
}

/**
 * The running generation behind stable handles: `pipelines` and `policy` always answer from the
 * newest one, and `swap` builds the next over the same shared parts (keeping the kill-switch
 * poller) and puts it in place in one assignment. `wrap` is applied to every generation
 * (tracing, when on).
 */
export function liveGeneration(
  config: Config,
  shared: GenerationShared,
  deps: { secretOf: SecretLookup; wrap: (pipelines: Pipelines) => Pipelines },
): {
  pipelines: Pipelines;
  policy: PolicyRuntime;
  swap(next: Config, secretOf: SecretLookup): void;
} {
  let generation = buildGeneration(config, shared, { secretOf: deps.secretOf });
  const switchable = switchablePipelines(deps.wrap(generation.pipelines));
  return {
    pipelines: switchable.pipelines,
    policy: livePolicy(() => generation.policy),
    swap(next, secretOf) {
      const killSwitch = generation.policy.killSwitch;
      generation = buildGeneration(next, shared, { secretOf, killSwitch });
      switchable.swap(deps.wrap(generation.pipelines));
    },
  };
}

/** A secret lookup whose source a config reload replaces (it resolves the references it adds). */
export function replaceableLookup(initial: SecretLookup): {
  secretOf: SecretLookup;
  replace(next: SecretLookup): void;
} {
  let lookup = initial;
  return {
    secretOf: (ref) => lookup(ref),
    replace(next) {
      lookup = next;
    },
  };
}
