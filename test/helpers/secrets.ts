import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { secretsSchema } from '../../src/secrets/config-schema.js';
import { createConfiguredResolver } from '../../src/secrets/from-config.js';
import type { SecretResolver, SecretRetrieval } from '../../src/secrets/types.js';
import type { Clock } from '../../src/util/clock.js';

/** A debug logger whose JSON lines land in `lines`. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination: stream }) };
}

/** The log lines parsed, for assertions on events. */
export function events(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A clock that moves only when told to. */
export function fakeClock(startMs = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  let mono = 0;
  return {
    now: () => nowMs,
    monotonicMs: () => mono,
    advance(ms: number) {
      nowMs += ms;
      mono += ms;
    },
  };
}

/** A resolver built the way the app builds it: the `secrets` section through its schema, captured logs. */
export function configuredResolver(
  secrets: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  clock?: Clock,
): { resolver: SecretResolver; lines: string[]; audits: SecretRetrieval[] } {
  const parsed = secretsSchema.parse(secrets);
  const { log, lines } = captureLogger();
  const audits: SecretRetrieval[] = [];
  const resolver = createConfiguredResolver(parsed, {
    env,
    log,
    ...(clock ? { clock } : {}),
    onRetrieval: (r) => audits.push(r),
  });
  return { resolver, lines, audits };
}
