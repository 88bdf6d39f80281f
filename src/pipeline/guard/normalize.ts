import { stripHtml } from '../../detect/text/html.js';
import { findInvisible, stripInvisible } from '../../detect/text/invisible.js';
import { estimateTokens } from '../../detect/text/tokens.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { countMessages } from './slots.js';
import type { GuardSession } from './state.js';

/**
 * First input guard: caps on messages and estimated prompt tokens, then invisible and control
 * characters (stripped or refused by policy) and, optionally, HTML markup.
 */
export function createGuardNormalizeStage(deps: { session: GuardSession }): Stage {
  return {
    name: 'guard_normalize',
    run: function guardNormalize(ctx: RequestContext): Verdict {
      const state = deps.session.of(ctx);
      if (state === undefined || ctx.body === undefined || ctx.route.id === 'models')
        return undefined;
      const { input } = state.policy.config;
      if (countMessages(ctx.route.id, ctx.body) > input.maxMessages) {
        return new GatewayError('too_many_messages', {
          message: `The request has more than ${input.maxMessages} messages.`,
        });
      }
      const slots = deps.session.slots(ctx);
      let tokens = 0;
      for (const slot of slots) tokens += estimateTokens(slot.text);
      if (tokens > input.maxPromptTokens) {
        return new GatewayError('prompt_too_large', {
          message: `The prompt is about ${tokens} tokens; this gateway accepts at most ${input.maxPromptTokens}.`,
        });
      }
      let invisible = 0;
      let tags = 0;
      for (const slot of slots) {
        let text = slot.text;
        if (input.invisibleChars !== 'allow') {
          const report = findInvisible(text);
          if (report.count > 0 && input.invisibleChars === 'refuse') {
            ctx.decisions.push({
              stage: 'guard_normalize',
              action: 'block',
              type: 'invisible_characters',
              count: report.count,
            });
            return new GatewayError('invisible_characters', { param: slot.path });
          }
          if (report.count > 0) text = stripInvisible(text);
          invisible += report.count;
        }
        if (input.stripHtml) {
          const stripped = stripHtml(text);
          text = stripped.text;
          tags += stripped.removed;
        }
        if (text !== slot.text) slot.set(text);
      }
      if (invisible > 0)
        ctx.decisions.push({
          stage: 'guard_normalize',
          action: 'strip',
          type: 'invisible_characters',
          count: invisible,
        });
      if (tags > 0)
        ctx.decisions.push({
          stage: 'guard_normalize',
          action: 'strip',
          type: 'html',
          count: tags,
        });
      if (invisible + tags > 0) deps.session.rewrote(ctx);
      return undefined;
    },
  };
}
