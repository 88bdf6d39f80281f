import type { TokenCounter } from '../../pricing/tokens.js';
import type { RequestContext } from '../context.js';

/** Prompt tokens of this request, counted once and kept on `ctx.policy`. */
export function promptTokensOf(
  ctx: RequestContext,
  counter: TokenCounter,
  upstreamModel: string | undefined,
): number | Promise<number> {
  const policy = ctx.policy;
  if (policy?.promptTokens !== undefined) return policy.promptTokens;
  const body = ctx.body;
  if (body === undefined || ctx.route.id === 'models') return 0;
  const model = typeof body.model === 'string' ? (upstreamModel ?? body.model) : '';
  const counted = counter.countPrompt(ctx.route.id, body, model);
  if (typeof counted === 'number') {
    if (policy !== undefined) policy.promptTokens = counted;
    return counted;
  }
  return counted.then((n) => {
    if (policy !== undefined) policy.promptTokens = n;
    return n;
  });
}
