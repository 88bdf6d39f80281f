// What the gateway benches share: free loopback ports and the processes they spawn.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import process from 'node:process';

const children = [];

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node ARGS` and resolves `{ child, out }` once `readyPattern` appears in its output
 * (a server that is listening), or when it exits 0 having printed it (a one-shot command).
 */
export function spawnReady(args, env, readyPattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c) => {
      out += c;
      if (readyPattern.test(out)) resolve({ child, out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (out += c));
    child.once('exit', (code) =>
      code === 0 && readyPattern.test(out)
        ? resolve({ child, out })
        : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)),
    );
  });
}

/** SIGTERM to every child not signalled yet: a second SIGTERM would cut a gateway's drain short. */
export function stopAll() {
  for (const c of children) if (!c.killed && c.exitCode === null) c.kill('SIGTERM');
}
