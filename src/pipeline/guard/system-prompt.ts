import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint, JsonObject } from '../../providers/types.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { GuardPolicy } from './policy.js';
import type { GuardSession } from './state.js';

/** The managed system prompt for `model` (exact name first, then `*`), if any. */
export function managedPromptFor(policy: GuardPolicy, model: unknown): string | undefined {
  const managed = policy.config.systemPrompt.managed;
  if (typeof model === 'string' && Object.hasOwn(managed, model)) return managed[model];
  return Object.hasOwn(managed, '*') ? managed['*'] : undefined;
}

type Isolation = { demoted: number } | { refusedAt: string };

const isCallerSystem = (role: unknown) => role === 'system' || role === 'developer';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Chat: caller system/developer messages demoted to user; the managed prompt goes first. */
function isolateChat(body: JsonObject, prompt: string, refuse: boolean): Isolation {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  let demoted = 0;
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || !isCallerSystem(m.role)) continue;
    if (refuse) return { refusedAt: `messages[${i}]` };
    m.role = 'user';
    demoted++;
  }
  body.messages = [{ role: 'system', content: prompt }, ...messages];
  return { demoted };
}

/** Responses: caller `instructions` and system/developer items become user items. */
function isolateResponses(body: JsonObject, prompt: string, refuse: boolean): Isolation {
  const items: unknown[] =
    typeof body.input === 'string'
      ? [{ role: 'user', content: body.input }]
      : Array.isArray(body.input)
        ? (body.input as unknown[])
        : [];
  let demoted = 0;
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    if (refuse) return { refusedAt: 'instructions' };
    items.unshift({ role: 'user', content: body.instructions });
    demoted++;
  }
  for (const [i, item] of items.entries()) {
    if (!isObject(item) || !isCallerSystem(item.role)) continue;
    if (refuse) return { refusedAt: `input[${i}]` };
    item.role = 'user';
    demoted++;
  }
  if (demoted > 0 || typeof body.input === 'string') body.input = items;
  body.instructions = prompt;
  return { demoted };
}

/** Anthropic: a caller `system` becomes the first user message. */
function isolateMessages(body: JsonObject, prompt: string, refuse: boolean): Isolation {
  const system = body.system;
  const hasSystem =
    typeof system === 'string' ? system !== '' : Array.isArray(system) && system.length > 0;
  let demoted = 0;
  if (hasSystem) {
    if (refuse) return { refusedAt: 'system' };
    const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    body.messages = [{ role: 'user', content: system }, ...messages];
    demoted = 1;
  }
  body.system = prompt;
  return { demoted };
}

const ISOLATORS: Record<
  Endpoint,
  ((b: JsonObject, p: string, r: boolean) => Isolation) | undefined
> = {
  chat_completions: isolateChat,
  responses: isolateResponses,
  messages: isolateMessages,
  embeddings: undefined,
};

/**
 * System-prompt isolation: when a managed prompt applies to the requested model, it is the
 * only system prompt the provider sees. Caller system or developer text is refused or demoted
 * to a user turn; it is never concatenated into the managed prompt.
 */
export function createGuardSystemPromptStage(deps: { session: GuardSession }): Stage {
  return {
    name: 'guard_system_prompt',
    run: function guardSystemPrompt(ctx: RequestContext): Verdict {
      const state = deps.session.of(ctx);
      const body = ctx.body;
      if (state === undefined || body === undefined || ctx.route.id === 'models') return undefined;
      const prompt = managedPromptFor(state.policy, body.model);
      const isolate = ISOLATORS[ctx.route.id];
      if (prompt === undefined || isolate === undefined) return undefined;
      const refuse = state.policy.config.systemPrompt.callerMessages === 'refuse';
      const result = isolate(body, prompt, refuse);
      if ('refusedAt' in result) {
        ctx.decisions.push({
          stage: 'guard_system_prompt',
          action: 'block',
          type: 'caller_system',
        });
        return new GatewayError('system_prompt_override', { param: result.refusedAt });
      }
      ctx.decisions.push({ stage: 'guard_system_prompt', action: 'inject', type: 'managed' });
      if (result.demoted > 0) {
        ctx.decisions.push({
          stage: 'guard_system_prompt',
          action: 'demote',
          type: 'caller_system',
          count: result.demoted,
        });
      }
      deps.session.restructured(ctx);
      return undefined;
    },
  };
}
