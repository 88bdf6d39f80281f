import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

/** The shared Redis every test may use, with its own key prefix. A missing server fails. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueRedisPrefix(name: string): string {
  return `bastion-test:${name}:${randomUUID().slice(0, 8)}`;
}

/**
 * Deletes every key under a prefix: limit counters (`prefix:{subject}:…`) and keys that carry
 * the prefix as their hash tag (`{prefix}:…`).
 */
export async function dropRedisPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of [`{${prefix}}:*`, `${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A private redis-server on a free port, for tests that stop and restart Redis: the shared one
 * other test files use is never touched. No persistence; killed in `close()`.
 */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      proc.once('error', reject);
    });
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  await start();
  return { url, start, stop, close: stop };
}

/**
 * A private Redis Cluster of `masters` primaries (no replicas) on free ports, in temporary
 * directories, for the cluster-mode tests: `redis-cli --cluster create` spreads the 16,384 slots
 * over them. `stop(i)` kills one primary (SIGKILL, as a crashed or cut-off shard), `start(i)`
 * brings it back on the same port with its node config, so it rejoins with its slots (and no
 * data). `nodeOf(key)` is the index of the primary serving a key's slot.
 */
export interface PrivateCluster {
  /** The seed URLs, comma-separated, as `limits.redis.url` takes them in cluster mode. */
  url: string;
  ports: number[];
  nodeOf(key: string): Promise<number>;
  stop(index: number): Promise<void>;
  start(index: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateCluster(
  masters = 3,
  /** When set, every node requires it (`requirepass`, `masterauth`), and the URLs carry it. */
  password?: string,
): Promise<PrivateCluster> {
  const auth = password === undefined ? [] : ['-a', password, '--no-auth-warning'];
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'bastion-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePort());
  const children: (ChildProcess | undefined)[] = ports.map(() => undefined);

  async function start(index: number): Promise<void> {
    const port = ports[index] as number;
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        // A shard that is down makes only its own slots unavailable.
        '--cluster-require-full-coverage',
        'no',
        '--dir',
        dir,
        ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children[index] = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      proc.once('error', reject);
    });
  }

  async function stop(index: number): Promise<void> {
    const proc = children[index];
    children[index] = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  async function clusterState(port: number): Promise<string> {
    const { stdout } = await run('redis-cli', [...auth, '-p', String(port), 'cluster', 'info']);
    return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? '';
  }

  async function waitOk(): Promise<void> {
    for (;;) {
      const states = await Promise.all(
        ports.map(async (p, i) => (children[i] === undefined ? 'ok' : clusterState(p))),
      );
      if (states.every((s) => s === 'ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  try {
    await Promise.all(ports.map((_, i) => start(i)));
    await run('redis-cli', [
      ...auth,
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitOk();
  } catch (err) {
    await Promise.all(ports.map((_, i) => stop(i)));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: ports
      .map((p) => `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${p}`)
      .join(','),
    ports,
    async nodeOf(key: string) {
      const live = ports.find((_, i) => children[i] !== undefined) as number;
      const admin = new Redis(live, '127.0.0.1', password === undefined ? {} : { password });
      try {
        const slot = Number(await admin.cluster('KEYSLOT', key));
        const ranges = await admin.cluster('SLOTS');
        const owner = ranges.find(([lo, hi]) => lo <= slot && slot <= hi);
        return ports.indexOf(owner?.[2]?.[1] ?? -1);
      } finally {
        admin.disconnect();
      }
    },
    stop,
    async start(index: number) {
      await start(index);
      await waitOk();
    },
    async close() {
      await Promise.all(ports.map((_, i) => stop(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
