import { createBudgetAlerter, type BudgetAlerter } from '../../alerts/budget-alerts.js';
import { createWebhookSender, type WebhookSender } from '../../alerts/webhook.js';
import type { LimitBackend } from '../../limits/types.js';
import type { Logger } from '../../log/logger.js';
import type { Secret } from '../../log/secret.js';
import type { EndUserPseudonym } from '../audit/user-id.js';
import { createAuthorizeStage } from './authorize.js';
import { createBudgetStage } from './budget.js';
import { createConcurrencyStage } from './concurrency.js';
import { createKillSwitchStage } from './kill-switch.js';
import { createRateLimitStage } from './rate-limit.js';
import type { RouteId } from '../context.js';
import type { Stage } from '../stage.js';
import type { ModelTable } from '../upstream/providers.js';
import type { PricingConfig } from '../../pricing/config.js';
import { createPriceTable, type PriceTable } from '../../pricing/prices.js';
import { createTokenCounter, type TokenCounter } from '../../pricing/tokens.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { AlertsConfig, LimitsConfig, PolicyConfig } from '../../policy/config.js';
import { createKillSwitchState, type KillSwitchState } from '../../policy/kill-switch-state.js';
import { createPolicyModel, type PolicyModel } from '../../policy/model.js';
import { seedSpend } from '../../policy/seed-spend.js';

export interface PolicyRuntimeDeps {
  store: Store;
  backend: LimitBackend;
  models: ModelTable;
  clock: Clock;
  log: Logger;
  /** App-named end-user ids to their stored form (src/pipeline/audit/user-id.ts). */
  endUserPseudonym: EndUserPseudonym;
  /** Resolved `alerts.webhookSecret`, when set. */
  webhookSecret: Secret | undefined;
  /** The kill switches of the runtime this one replaces (config reload): one poller per process. */
  killSwitch?: KillSwitchState | undefined;
}

export interface PolicyRuntimeConfig {
  policy: PolicyConfig;
  limits: LimitsConfig;
  pricing: PricingConfig;
  alerts: AlertsConfig;
}

export interface PolicyRuntime {
  readonly stages: {
    authorize: Stage;
    kill_switch: Stage;
    rate_limit: Stage;
    concurrency: Stage;
    budget: Stage;
  };
  readonly model: PolicyModel;
  readonly killSwitch: KillSwitchState;
  readonly backend: LimitBackend;
  readonly alerts: BudgetAlerter;
  /** The signed alerts webhook (`alerts.webhookUrl`), shared with the anomaly detector. */
  readonly webhook: WebhookSender | undefined;
  readonly prices: PriceTable;
  readonly tokens: TokenCounter;
  /** Loads kill switches and (in process) this window's spend from the audit log. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the access-policy and spend-control stages and what they share. */
export function createPolicyRuntime(
  deps: PolicyRuntimeDeps,
  cfg: PolicyRuntimeConfig,
): PolicyRuntime {
  const log = deps.log.child({ mod: 'policy' });
  const model = createPolicyModel(cfg.policy);
  const prices = createPriceTable(cfg.pricing);
  const tokens = createTokenCounter(cfg.pricing);
  const providerOf = (name: string, route: RouteId) =>
    deps.models.resolve(name, route)?.provider.id;
  // Only exact entries alias; a pattern or pass-through name goes upstream as sent.
  const upstreamModelOf = (name: string) => deps.models.listed.get(name)?.upstreamModel;
  const killSwitch =
    deps.killSwitch ??
    createKillSwitchState(
      { store: deps.store, clock: deps.clock, log },
      { pollMs: cfg.policy.killSwitchPollMs, maxStaleMs: cfg.policy.killSwitchMaxStaleMs },
    );
  const webhookUrl = cfg.alerts.webhookUrl;
  const webhook =
    webhookUrl === undefined
      ? undefined
      : createWebhookSender(
          { secret: deps.webhookSecret, log, clock: deps.clock },
          { ...cfg.alerts, url: webhookUrl },
        );
  const alerts = createBudgetAlerter(
    { store: deps.store, webhook, log, clock: deps.clock },
    cfg.alerts,
  );
  const leaseTtlMs = cfg.limits.leaseTtlSec * 1000;
  const backend = deps.backend;

  return {
    stages: {
      authorize: createAuthorizeStage({
        model,
        providerOf,
        killSwitch,
        pseudonym: deps.endUserPseudonym,
      }),
      kill_switch: createKillSwitchStage({ state: killSwitch, providerOf }),
      rate_limit: createRateLimitStage({ tokens, upstreamModelOf }),
      concurrency: createConcurrencyStage(),
      budget: createBudgetStage(
        { backend, prices, tokens, alerts, upstreamModelOf },
        { leaseTtlMs, defaultMaxOutputTokens: cfg.pricing.defaultMaxOutputTokens },
      ),
    },
    model,
    killSwitch,
    backend,
    alerts,
    webhook,
    prices,
    tokens,
    async start() {
      await killSwitch.start();
      if (backend.kind === 'memory') {
        await seedSpend({ store: deps.store, backend }, deps.clock.now());
      }
    },
    async stop() {
      killSwitch.stop();
      await alerts.idle();
      await backend.close();
    },
  };
}
