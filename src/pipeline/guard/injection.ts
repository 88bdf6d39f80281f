import type { InjectionCategory } from '../../detect/injection/index.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { InjectionClassifier } from './classifier.js';
import type { GuardPolicy } from './policy.js';
import type { SlotRole } from './slots.js';
import type { GuardSession } from './state.js';
import { managedPromptFor } from './system-prompt.js';

export interface GuardInjectionDeps {
  session: GuardSession;
  /** Classifier per policy, when that policy configures one. */
  classifierFor(policy: GuardPolicy): InjectionClassifier | undefined;
}

interface Screened {
  score: number;
  /** The learned model's part of the worst slot's score (audit detail, for tuning). */
  modelScore: number;
  categories: Set<InjectionCategory>;
  worstPath: string | undefined;
  worstRole: SlotRole | undefined;
  /** The screened texts joined, for the classifier ('' without one). */
  text: string;
}

const FLAG_HEADER = 'x-bastion-guard';

interface ScreenedRoles {
  readonly configured: ReadonlySet<SlotRole>;
  /** With a managed prompt, caller system text is demoted to user content: screened as such. */
  readonly demoting: ReadonlySet<SlotRole>;
}

/** Per policy, built on first use rather than per request. */
const screenedRoles = new WeakMap<GuardPolicy, ScreenedRoles>();

function rolesOf(policy: GuardPolicy, model: unknown): ReadonlySet<SlotRole> {
  let roles = screenedRoles.get(policy);
  if (roles === undefined) {
    const configured = new Set<SlotRole>(policy.config.injection.roles);
    roles = { configured, demoting: new Set([...configured, 'system', 'developer']) };
    screenedRoles.set(policy, roles);
  }
  return managedPromptFor(policy, model) === undefined ? roles.configured : roles.demoting;
}

/** `isJoined`: the screened texts are joined for the classifier (nobody else reads them). */
function screen(
  ctx: RequestContext,
  deps: GuardInjectionDeps,
  policy: GuardPolicy,
  isJoined: boolean,
): Screened {
  const roles = rolesOf(policy, ctx.body?.model);
  const out: Screened = {
    score: 0,
    modelScore: 0,
    categories: new Set(),
    worstPath: undefined,
    worstRole: undefined,
    text: '',
  };
  const texts: string[] = [];
  for (const slot of deps.session.slots(ctx)) {
    if (!roles.has(slot.role)) continue;
    const result = deps.session.verdict(ctx, 'injection', slot.text, (t) =>
      policy.injection.scan(t),
    );
    if (isJoined) texts.push(slot.text);
    for (const c of result.categories) out.categories.add(c);
    if (result.score > out.score) {
      out.score = result.score;
      out.modelScore = result.modelScore;
      out.worstPath = slot.path;
      out.worstRole = slot.role;
    }
  }
  out.text = texts.join('\n\n');
  return out;
}

function decide(ctx: RequestContext, policy: GuardPolicy, s: Screened): Verdict {
  const { action, flagThreshold, blockThreshold } = policy.config.injection;
  if (s.score < flagThreshold) return undefined;
  const isBlocked = action === 'block' || s.score >= blockThreshold;
  const type = [...s.categories].sort().join(',') || 'classifier';
  ctx.decisions.push({
    stage: 'guard_injection',
    action: isBlocked ? 'block' : 'flag',
    type,
    score: s.score,
    // Which role carried it (tool results are indirect injection) and the model's own score.
    detail: `role=${s.worstRole ?? 'none'};model=${s.modelScore}`,
  });
  if (!isBlocked) {
    ctx.responseHeaders[FLAG_HEADER] = 'prompt-injection-flagged';
    return undefined;
  }
  return new GatewayError(
    'prompt_injection_detected',
    s.worstPath === undefined ? {} : { param: s.worstPath },
  );
}

async function withClassifier(
  ctx: RequestContext,
  policy: GuardPolicy,
  classifier: InjectionClassifier,
  s: Screened,
): Promise<Verdict> {
  const failOpen = policy.config.injection.classifier?.failOpen === true;
  try {
    const remote = await classifier.classify({ text: s.text, localScore: s.score }, ctx.signal);
    if (remote > s.score) s.score = remote;
  } catch (err) {
    ctx.log.warn({
      event: 'guard_classifier_failed',
      failOpen,
      err: err instanceof Error ? err.name : 'error',
    });
    ctx.decisions.push({
      stage: 'guard_injection',
      action: failOpen ? 'fail_open' : 'fail_closed',
      type: 'classifier',
    });
    if (!failOpen) return new GatewayError('guard_unavailable');
  }
  return decide(ctx, policy, s);
}

/**
 * Prompt-injection screening of the roles the policy names (user and tool results by default):
 * a local score from the phrase detector, optionally raised by an external classifier, then
 * block, flag (audit plus an `x-bastion-guard` response header) or allow.
 */
export function createGuardInjectionStage(deps: GuardInjectionDeps): Stage {
  return {
    name: 'guard_injection',
    run: function guardInjection(ctx: RequestContext): Verdict | Promise<Verdict> {
      const state = deps.session.of(ctx);
      if (state === undefined || state.policy.config.injection.action === 'allow') return undefined;
      const { policy } = state;
      const classifier = deps.classifierFor(policy);
      const screened = screen(ctx, deps, policy, classifier !== undefined);
      const minLocal = policy.config.injection.classifier?.minLocalScore ?? 0;
      if (classifier !== undefined && screened.text !== '' && screened.score >= minLocal) {
        return withClassifier(ctx, policy, classifier, screened);
      }
      return decide(ctx, policy, screened);
    },
  };
}
