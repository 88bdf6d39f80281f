import type { Config } from '../../config/schema.js';
import { poolDemand } from '../../policy/pool-demand.js';
import type { VirtualKeyRecord } from '../../store/types.js';

export interface PoolCheck {
  area: 'upstream';
  status: 'ok' | 'warn';
  message: string;
}

/** Warns when the keys' concurrency limits allow more calls in flight than the pool holds. */
export function poolCheck(
  config: Pick<Config, 'policy' | 'upstream'>,
  keys: readonly VirtualKeyRecord[],
  nowMs: number,
): PoolCheck {
  const { connections } = config.upstream;
  const demand = poolDemand(config.policy, keys, nowMs);
  if (demand.maxInFlight <= connections) {
    return {
      area: 'upstream',
      status: 'ok',
      message: `${connections} connections per provider cover the ${demand.activeKeys} active keys' concurrency limits (at most ${demand.maxInFlight} in flight)`,
    };
  }
  const wanted =
    demand.unlimitedKeys > 0
      ? `${demand.unlimitedKeys} active key(s) have no concurrency limit`
      : `the active keys' concurrency limits add up to ${demand.maxInFlight}`;
  return {
    area: 'upstream',
    status: 'warn',
    message: `upstream.connections is ${connections} but ${wanted}: calls beyond the pool wait upstream.connectionWaitMs, then get 503 upstream_queue_timeout; raise upstream.connections or set key or environment concurrency limits`,
  };
}
