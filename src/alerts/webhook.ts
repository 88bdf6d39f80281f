import type { Logger } from '../log/logger.js';
import type { Secret } from '../log/secret.js';
import type { Clock } from '../util/clock.js';
import { signPayload } from './sign.js';

export interface WebhookOptions {
  url: string;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
}

export interface WebhookSender {
  /** Queues one delivery; retried with backoff in the background. */
  send(eventId: string, payload: unknown): void;
  /** Resolves when every queued delivery has succeeded or given up. */
  idle(): Promise<void>;
}

/**
 * Signed POSTs with retries: on a network error, 429 or 5xx, exponential backoff with full
 * jitter (a `Retry-After` in seconds is honoured as the lower bound), at most `maxAttempts`.
 * The same `x-bastion-event-id` on every attempt lets the receiver drop duplicates.
 */
export function createWebhookSender(
  deps: { secret: Secret | undefined; log: Logger; clock: Clock; random?: () => number },
  opts: WebhookOptions,
): WebhookSender {
  const pending = new Set<Promise<void>>();
  const random = deps.random ?? Math.random;

  async function deliver(eventId: string, body: string): Promise<void> {
    for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'bastion-alerts/1',
        'x-bastion-event-id': eventId,
      };
      if (deps.secret !== undefined) {
        const t = Math.floor(deps.clock.now() / 1000);
        headers['x-bastion-signature'] = signPayload(deps.secret.reveal(), body, t);
      }
      let retryAfterMs = 0;
      let status = 0;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        status = res.status;
        await res.body?.cancel();
        if (res.ok) return;
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
        if (status < 500 && status !== 429 && status !== 408) break;
      } catch {
        status = 0;
      }
      if (attempt === opts.maxAttempts) break;
      const cap = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (attempt - 1));
      const delayMs = Math.max(retryAfterMs, Math.floor(random() * cap));
      deps.log.warn({ event: 'alert_webhook_retry', attempt, status, delayMs, eventId });
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    }
    deps.log.error({ event: 'alert_webhook_failed', eventId });
  }

  return {
    send(eventId, payload) {
      const p = deliver(eventId, JSON.stringify(payload)).finally(() => pending.delete(p));
      pending.add(p);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
