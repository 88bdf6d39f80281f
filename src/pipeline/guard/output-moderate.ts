import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Verdict } from '../stage.js';
import type { ModerationConfig } from '../../config/guard.js';
import type { OutputModerator } from './moderation.js';
import type { TextFilter } from './output-text.js';

/** A policy's moderation hook: the client and its settings. */
export interface ModerationHook {
  readonly moderator: OutputModerator;
  readonly config: ModerationConfig;
}

/**
 * Stream frames held while their text waits for moderation are also bounded in bytes, so a
 * short text followed by a long run of non-text events (tool-call arguments) is not held
 * to the end.
 */
const MAX_HELD_BYTES = 64 * 1024;

/**
 * Moderation for one request: `check` sends the final (redacted) text to the hook, one call
 * at a time, and answers with the refusal when it is flagged or when the hook fails closed.
 * Audit decisions carry the score and category names only, never the text.
 */
export class ModerationRun {
  #failedOpen = 0;

  constructor(
    private readonly ctx: RequestContext,
    private readonly hook: ModerationHook,
  ) {}

  async check(text: string): Promise<Verdict> {
    const { ctx, hook } = this;
    let verdict;
    try {
      verdict = await hook.moderator.moderate(text, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) return new GatewayError('client_closed');
      const { failOpen } = hook.config;
      ctx.log.warn({
        event: 'guard_moderation_failed',
        failOpen,
        err: err instanceof Error ? err.name : 'error',
      });
      if (failOpen) {
        this.#failedOpen++;
        return undefined;
      }
      ctx.decisions.push({ stage: 'guard_output', action: 'fail_closed', type: 'moderation' });
      return new GatewayError('guard_unavailable');
    }
    if (!verdict.flagged) return undefined;
    ctx.decisions.push({
      stage: 'guard_output',
      action: 'block',
      type: 'moderation',
      ...(verdict.score === undefined ? {} : { score: verdict.score }),
      ...(verdict.categories.length === 0 ? {} : { detail: verdict.categories.join(',') }),
    });
    return new GatewayError('output_moderation_blocked');
  }

  /** Appends the fail-open count, once, when the request ends. */
  record(): void {
    if (this.#failedOpen === 0) return;
    const count = this.#failedOpen;
    this.#failedOpen = 0;
    this.ctx.decisions.push({
      stage: 'guard_output',
      action: 'fail_open',
      type: 'moderation',
      count,
    });
  }
}

/**
 * Gates a rewritten stream: `tap` wraps each channel's filter to collect the text it
 * releases; `gate` holds the frames carrying that text until about `streamSegmentChars` of it
 * (or the stream's end) is reached, moderates the segment, then sends the frames. A flagged
 * segment or a hook failing closed throws the refusal: the server sends it as the stream's
 * final error event, and closing the iterator cancels the upstream call. Frames before the
 * segment were already sent.
 */
export function createModerationGate(run: ModerationRun, segmentChars: number) {
  let pending = '';
  const collect = (text: string) => {
    pending += text;
    return text;
  };
  async function check(): Promise<void> {
    if (pending === '') return;
    const text = pending;
    pending = '';
    const verdict = await run.check(text);
    if (verdict !== undefined) throw verdict;
  }
  return {
    /** Collects what `filter` releases, or what `hookView` (fed the same text) releases. */
    tap(filter: TextFilter, hookView?: TextFilter): TextFilter {
      if (hookView === undefined)
        return { push: (t) => collect(filter.push(t)), flush: () => collect(filter.flush()) };
      return {
        push(t) {
          collect(hookView.push(t));
          return filter.push(t);
        },
        flush() {
          collect(hookView.flush());
          return filter.flush();
        },
      };
    },
    gate: async function* moderationGate(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      let held: Buffer[] = [];
      let heldBytes = 0;
      for await (const chunk of chunks) {
        if (pending === '' && held.length === 0) {
          yield chunk;
          continue;
        }
        held.push(chunk);
        heldBytes += chunk.length;
        if (pending.length < segmentChars && heldBytes < MAX_HELD_BYTES) continue;
        await check();
        yield held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held);
        held = [];
        heldBytes = 0;
      }
      await check();
      if (held.length > 0) yield Buffer.concat(held);
    },
  };
}
