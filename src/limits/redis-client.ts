import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** One URL, or in cluster mode one or more seed nodes' URLs, comma-separated. */
  url: string;
  commandTimeoutMs: number;
  cluster: boolean;
}

/**
 * The connection to one Redis, or to a Redis Cluster through its seed nodes (the client learns
 * the others and which shard serves which slot). Fails closed either way: no offline queue, no
 * retry of a failed command, a slow one times out; the client keeps reconnecting in the
 * background, so service resumes by itself.
 */
export function connectRedis(opts: RedisClientOptions): Redis | Cluster {
  const base: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: Math.max(1_000, opts.commandTimeoutMs),
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  };
  const client = opts.cluster ? connectCluster(opts, base) : new Redis(opts.url, base);
  // Without a listener ioredis logs every failed reconnect; failures surface per call instead.
  client.on('error', () => undefined);
  return client;
}

function connectCluster(opts: RedisClientOptions, base: RedisOptions): Cluster {
  const urls = opts.url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '')
    .map((u) => new URL(u));
  const seeds: ClusterNode[] = urls.map((u) => ({
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
  }));
  const first = urls[0];
  // Every node of a cluster takes the same credentials; the first URL gives them.
  const auth: RedisOptions = {};
  if (first?.username) auth.username = decodeURIComponent(first.username);
  if (first?.password) auth.password = decodeURIComponent(first.password);
  if (first?.protocol === 'rediss:') auth.tls = {};
  return new Cluster(seeds, {
    enableOfflineQueue: false,
    clusterRetryStrategy: (times) => Math.min(50 * times, 1_000),
    slotsRefreshTimeout: Math.max(1_000, opts.commandTimeoutMs),
    redisOptions: { ...base, ...auth },
  });
}
