import { Redis } from 'ioredis';
import { z } from 'zod';

/** A breaker transition as replicas share it (same shape as the pipeline's `CircuitChange`). */
export interface SharedCircuitChange {
  readonly id: string;
  readonly state: 'open' | 'closed';
  readonly untilMs: number;
}

export interface RedisCircuitSyncOptions {
  /** May hold a password: handed to ioredis, never logged. */
  url: string;
  /** Every key and the channel start with `<keyPrefix>:circuit`. */
  keyPrefix: string;
  commandTimeoutMs: number;
  /** Wall clock, to turn `untilMs` into a key TTL. */
  now: () => number;
  /** Called (rate-limited by the caller's logger) when Redis cannot be reached. */
  onError: (err: unknown) => void;
}

export interface RedisCircuitSync {
  publish(change: SharedCircuitChange): void;
  /**
   * Resolves once subscribed and able to publish, or after the connect timeout (best effort:
   * the subscription then completes later).
   */
  subscribe(listener: (change: SharedCircuitChange) => void): Promise<void>;
  load(ids: readonly string[]): Promise<SharedCircuitChange[]>;
  close(): Promise<void>;
}

/**
 * Breaker state shared by replicas: an open circuit is a key `<prefix>:circuit:<id>` holding
 * its `untilMs` (expiring then), and every transition is published on `<prefix>:circuit`, so
 * when one replica opens a circuit the others stop calling that key within a round trip.
 * Best effort by design: without Redis each replica keeps its own breakers, which still
 * protect it; nothing is let through that a breaker would not let through alone.
 */
export function createRedisCircuitSync(opts: RedisCircuitSyncOptions): RedisCircuitSync {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: Math.max(1_000, opts.commandTimeoutMs),
    retryStrategy: (times: number) => Math.min(50 * times, 1_000),
  };
  const redis = new Redis(opts.url, options);
  const subscriber = new Redis(opts.url, { ...options, enableOfflineQueue: true });
  redis.on('error', opts.onError);
  subscriber.on('error', opts.onError);
  const channel = `${opts.keyPrefix}:circuit`;
  const keyOf = (id: string) => `${channel}:${id}`;

  return {
    publish(change) {
      const message = JSON.stringify(change);
      const ttlMs = Math.max(1, change.untilMs - opts.now());
      const tx = redis.multi();
      if (change.state === 'open') tx.set(keyOf(change.id), String(change.untilMs), 'PX', ttlMs);
      else tx.del(keyOf(change.id));
      tx.publish(channel, message)
        .exec()
        .catch((err: unknown) => opts.onError(err));
    },
    subscribe(listener) {
      subscriber.on('message', (from: string, message: string) => {
        if (from !== channel) return;
        const change = parseChange(message);
        if (change !== undefined) listener(change);
      });
      // The command connection has no offline queue: a transition published before it is
      // ready would be dropped, so start waits for it too. SUBSCRIBE waits for its connection's
      // ready check: sent before it, the check's INFO meets a connection already in subscriber
      // mode, ioredis refuses it, and this replica never hears another's transitions.
      const subscribed = Promise.all([
        whenReady(redis),
        whenReady(subscriber).then(() => subscriber.subscribe(channel)),
      ]).then(
        () => undefined,
        (err: unknown) => opts.onError(err),
      );
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.connectTimeout);
      });
      return Promise.race([subscribed, bounded]).finally(() => clearTimeout(timer));
    },
    async load(ids) {
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map(keyOf));
      const out: SharedCircuitChange[] = [];
      values.forEach((value, i) => {
        const untilMs = Number(value);
        if (value !== null && Number.isFinite(untilMs)) {
          out.push({ id: ids[i] as string, state: 'open', untilMs });
        }
      });
      return out;
    },
    async close() {
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => client.once('ready', () => resolve()));
}

const changeSchema = z.object({
  id: z.string().min(1).max(200),
  state: z.enum(['open', 'closed']),
  untilMs: z.number().finite(),
});

function parseChange(message: string): SharedCircuitChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = changeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
