// `npm test` needs PostgreSQL, Redis and Chromium (the browser test). Run before the suites (the
// `pretest` script), this starts a local PostgreSQL or Redis that is installed but down, the
// way .ci/run does, and otherwise prints the one command that installs what is missing and
// fails once, instead of every suite failing on its own. A service already running is used
// as is: the suites isolate themselves by schema and key prefix.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SYSTEMD_ANALYZE = process.env.SYSTEMD_ANALYZE_PATH ?? 'systemd-analyze';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WAIT_MS = 30_000;

const problems = [];
await postgres();
await redis();
if (!existsSync(CHROMIUM)) {
  problems.push(
    `Chromium not found at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM_PATH)`,
  );
}
// The deployment test checks the shipped systemd unit with systemd-analyze.
if (spawnSync(SYSTEMD_ANALYZE, ['--version'], { stdio: 'ignore' }).status !== 0) {
  problems.push(
    `${SYSTEMD_ANALYZE} not found: sudo apt-get install -y systemd (or set SYSTEMD_ANALYZE_PATH)`,
  );
}
if (problems.length > 0) {
  console.error(`npm test cannot run yet:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}

async function postgres() {
  const url = new URL(DATABASE_URL);
  const port = Number(url.port || 5432);
  if (!(await listening(url.hostname, port))) {
    const started = startable(url.hostname, port, 5432) && startPostgres();
    if (!started || !(await waitListening(url.hostname, port))) {
      problems.push(
        has('pg_ctlcluster') || has('pg_ctl')
          ? `PostgreSQL is not answering on ${url.host} and could not be started: sudo pg_ctlcluster ${clusterVersion() ?? '<version>'} main start (or set DATABASE_URL)`
          : `PostgreSQL is not installed: sudo apt-get install -y postgresql (or set DATABASE_URL)`,
      );
      return;
    }
  }
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    const database = url.pathname.slice(1) || 'postgres';
    problems.push(
      err?.code === '3D000'
        ? `PostgreSQL has no database "${database}": sudo -u postgres createdb ${database}`
        : `PostgreSQL refused ${url.host} (${err?.code ?? 'connection failed'}): allow the user in pg_hba.conf (trust on 127.0.0.1) or set DATABASE_URL`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redis() {
  const url = new URL(REDIS_URL);
  const port = Number(url.port || 6379);
  if (await listening(url.hostname, port)) return;
  const started =
    startable(url.hostname, port, 6379) &&
    has('redis-server') &&
    run('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
  if (started && (await waitListening(url.hostname, port))) return;
  problems.push(
    has('redis-server')
      ? `Redis is not answering on ${url.host} and could not be started (or set REDIS_URL)`
      : 'Redis is not installed: sudo apt-get install -y redis-server (or set REDIS_URL)',
  );
}

/** Only a local service on its usual port is ours to start; anything else is the user's setup. */
function startable(host, port, usualPort) {
  return LOOPBACK.has(host) && port === usualPort;
}

function startPostgres() {
  const version = clusterVersion();
  if (version === undefined || !has('pg_ctlcluster')) return false;
  console.error(`starting PostgreSQL ${version}`);
  return run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
}

function clusterVersion() {
  try {
    return readdirSync('/etc/postgresql').sort().at(-1);
  } catch {
    return undefined;
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    return true;
  } catch {
    return false;
  }
}

function listening(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port, timeout: 1_000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function waitListening(host, port) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await listening(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
