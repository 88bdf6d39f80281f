// CPU per request of the virtual-key lookup on PostgreSQL, as authentication makes it: the
// lookups of one event-loop turn share a statement, which also reads the key change counter;
// keys already cached (and unchanged since) cost no row. Half the requests of a turn use one
// key, half another, as a busy gateway sees a few hot keys. CPU is the process's, so it holds
// on a shared machine better than wall time; PostgreSQL's own CPU is not counted.
// Needs DATABASE_URL. Run after `npm run build`:  node bench/key-lookup-postgres.js
//   BENCH_PG_LOOKUPS (default 20000), BENCH_PG_PER_TURN (default 8)
import console from 'node:console';
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import pg from 'pg';
import { createAuthenticateStage } from '../dist/pipeline/auth/authenticate.js';
import { issueVirtualKey } from '../dist/pipeline/auth/virtual-key.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';

const LOOKUPS = Number(process.env.BENCH_PG_LOOKUPS ?? 20_000);
const PER_TURN = Number(process.env.BENCH_PG_PER_TURN ?? 8);
const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL is not set');

const schema = `bench_keys_${randomBytes(4).toString('hex')}`;
const store = createPostgresStore({ connectionString: url, schema });
await store.migrate();
const secrets = [];
for (const name of ['a', 'b']) {
  const issued = issueVirtualKey({ name, env: 'prod', nowMs: Date.now() });
  await store.insertKey(issued.record);
  secrets.push(issued.secret);
}
const authenticate = createAuthenticateStage({ keys: store });
const clock = { now: () => Date.now(), monotonicMs: () => performance.now() };
const contexts = secrets.map((s) => ({ headers: { authorization: `Bearer ${s}` }, clock }));

async function run(count) {
  for (let done = 0; done < count; done += PER_TURN) {
    const turn = [];
    for (let i = 0; i < PER_TURN; i++) turn.push(authenticate.run({ ...contexts[i % 2] }));
    for (const verdict of await Promise.all(turn)) if (verdict !== undefined) throw verdict;
  }
}

try {
  await run(2_000);
  const before = process.cpuUsage();
  const started = performance.now();
  await run(LOOKUPS);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - started;
  console.log(
    `postgres key lookup: ${((cpu.user + cpu.system) / LOOKUPS).toFixed(2)} µs CPU per request, ` +
      `${((wallMs * 1000 * PER_TURN) / LOOKUPS).toFixed(0)} µs wall per turn ` +
      `(${PER_TURN} per event-loop turn, ${LOOKUPS} requests)`,
  );
} finally {
  await store.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
