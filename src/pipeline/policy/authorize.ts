import { GatewayError } from '../../errors/gateway-error.js';
import { createScopeCompiler, type CompiledScopes } from '../../policy/compiled-scopes.js';
import type { KillSwitchState } from '../../policy/kill-switch-state.js';
import type { PolicyModel } from '../../policy/model.js';
import type { Environment, VirtualKeyRecord } from '../../store/types.js';
import type { EndUserPseudonym } from '../audit/user-id.js';
import type { Caller, RequestContext, RouteId } from '../context.js';
import type { EndUser } from './request-policy.js';
import type { Stage, Verdict } from '../stage.js';
import { outputChoices, requestedOutputTokens, withOutputTokens } from './max-tokens.js';
import type { RequestPolicy } from './request-policy.js';
import { createSubjectResolver } from './subjects.js';

export interface AuthorizeDeps {
  model: PolicyModel;
  /** Provider id serving a gateway model name; undefined when the model is unknown. */
  /** The provider serving a model name on a route (exact, pattern or pass-through). */
  providerOf: (model: string, route: RouteId) => string | undefined;
  killSwitch: Pick<KillSwitchState, 'isKilled'>;
  /** An app-named end-user id to the form limits and the audit log keep. */
  pseudonym: EndUserPseudonym;
}

const MAX_USER_ID_LENGTH = 128;

/**
 * Scopes, environment, source IP, the end user and the `max_tokens` ceiling. Runs after the
 * body is parsed (it needs `model`, `max_tokens`, `user`) and before validation. The model and
 * provider scopes are checked here against the route table, before any limit is charged; the
 * route stage resolves the same table again. `ctx.policy.mayUse` lets fallback re-check another
 * model or provider.
 */
export function createAuthorizeStage(deps: AuthorizeDeps): Stage {
  const compile = createScopeCompiler();
  const resolveSubjects = createSubjectResolver(deps.model);
  return {
    name: 'authorize',
    run: function authorize(ctx: RequestContext): Verdict {
      const caller = ctx.caller;
      if (caller === undefined) return new GatewayError('internal_error');
      const envPolicy = deps.model.envs[caller.env];
      if (!deps.model.accepts.has(caller.env)) return new GatewayError('environment_denied');
      const scopes = caller.key === undefined ? undefined : compile(caller.key);
      if (scopes?.endpoints !== undefined && !scopes.endpoints.has(ctx.route.id)) {
        return new GatewayError('scope_endpoint_denied');
      }
      if (scopes?.ip !== undefined && !scopes.ip(ctx.clientIp)) {
        return new GatewayError('scope_ip_denied');
      }
      const mayUse = (model: string, providerId: string): boolean =>
        denial(scopes, envPolicy, model, providerId, deps) === undefined;

      let requested: number | undefined;
      let choices = 1;
      if (ctx.route.id !== 'models' && ctx.body !== undefined) {
        const model = ctx.body.model;
        if (typeof model === 'string') {
          const denied = denial(
            scopes,
            envPolicy,
            model,
            deps.providerOf(model, ctx.route.id),
            deps,
          );
          if (denied !== undefined) return new GatewayError(denied, { param: 'model' });
        }
        const clamped = clampOutput(ctx, caller.key);
        if (clamped instanceof GatewayError) return clamped;
        choices = outputChoices(ctx.route.id, ctx.body);
        requested = clamped === undefined ? undefined : clamped * choices;
      }

      const user = endUser(ctx, caller, deps.model, deps.pseudonym);
      const team = user?.team ?? caller.key?.scopes.team;
      const tier = tierOf(user, deps.model);
      const subjects = resolveSubjects(caller, user, team, tier);
      if (subjects === undefined) return new GatewayError('tier_unknown');
      const policy: RequestPolicy = {
        env: caller.env,
        user,
        team,
        tier,
        subjects,
        maxRequestCostMicroUsd: caller.key?.scopes.maxRequestCostMicroUsd,
        requestedOutputTokens: requested,
        outputChoices: choices,
        promptTokens: undefined,
        mayUse,
      };
      ctx.policy = policy;
      return undefined;
    },
  };
}

type Denial =
  'scope_model_denied' | 'scope_provider_denied' | 'environment_denied' | 'kill_switch_active';

function denial(
  scopes: CompiledScopes | undefined,
  env: PolicyModel['envs'][Environment],
  model: string,
  providerId: string | undefined,
  deps: AuthorizeDeps,
): Denial | undefined {
  if (scopes?.models !== undefined && !scopes.models(model)) return 'scope_model_denied';
  if (env.models !== undefined && !env.models(model)) return 'environment_denied';
  if (providerId === undefined) return undefined;
  if (scopes?.providers !== undefined && !scopes.providers.has(providerId)) {
    return 'scope_provider_denied';
  }
  if (env.providers !== undefined && !env.providers.has(providerId)) return 'environment_denied';
  if (deps.killSwitch.isKilled('provider', providerId)) return 'kill_switch_active';
  return undefined;
}

/** Applies the key's output ceiling: clamps (rewriting the body) or refuses. */
function clampOutput(
  ctx: RequestContext,
  key: VirtualKeyRecord | undefined,
): number | undefined | GatewayError {
  const body = ctx.body;
  if (body === undefined || ctx.route.id === 'models') return undefined;
  const endpoint = ctx.route.id;
  const requested = requestedOutputTokens(endpoint, body);
  const ceiling = key?.scopes.maxTokens;
  if (ceiling === undefined || endpoint === 'embeddings') return requested;
  if (requested !== undefined && requested <= ceiling) return requested;
  if (requested !== undefined && key?.scopes.maxTokensMode === 'refuse') {
    return new GatewayError('max_tokens_exceeded', { param: 'max_tokens' });
  }
  ctx.body = withOutputTokens(endpoint, body, ceiling);
  // Upstream forwards the raw bytes when no adapter edit applies, so they must match.
  ctx.rawBody = Buffer.from(JSON.stringify(ctx.body));
  ctx.decisions.push({
    stage: 'authorize',
    action: 'clamp',
    type: 'max_tokens',
    count: ceiling,
    ...(requested === undefined ? { detail: 'unset' } : {}),
  });
  return ceiling;
}

/**
 * The JWT's user, else the end user an app names: the header, OpenAI's `user` field or
 * Anthropic's `metadata.user_id`, the two APIs alike. The named id is the caller's text: limits
 * and the audit log get its keyed pseudonym; with no pseudonym key, limits get it bounded and
 * the audit log nothing.
 */
function endUser(
  ctx: RequestContext,
  caller: Caller,
  model: PolicyModel,
  pseudonym: EndUserPseudonym,
): EndUser | undefined {
  if (caller.user !== undefined) return caller.user;
  if (caller.key === undefined) return undefined;
  const named = (nonEmpty(ctx.headers[model.endUserHeader]) ?? namedInBody(ctx))?.slice(
    0,
    MAX_USER_ID_LENGTH,
  );
  if (named === undefined) return undefined;
  const stored = pseudonym(named);
  return {
    id: stored ?? named,
    auditId: stored ?? null,
    team: caller.key.scopes.team,
    tier: caller.key.scopes.tier ?? model.appUserTier,
    source: 'app',
  };
}

function namedInBody(ctx: RequestContext): string | undefined {
  const body = ctx.body;
  if (body === undefined) return undefined;
  if (ctx.route.id !== 'messages') return nonEmpty(body.user);
  const metadata = body.metadata;
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
    ? nonEmpty((metadata as Record<string, unknown>).user_id)
    : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A JWT user is a person the gateway verified: their tier, else the default. An app that names
 * its users (often only for attribution) opts into per-user limits by giving its key a tier or
 * the config an `appUserTier`; without one an internal service is never throttled per user.
 */
function tierOf(user: EndUser | undefined, model: PolicyModel): string | undefined {
  if (user === undefined) return undefined;
  return user.source === 'jwt' ? (user.tier ?? model.defaultTier) : user.tier;
}
