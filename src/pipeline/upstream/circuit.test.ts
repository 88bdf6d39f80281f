import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { createLogger } from '../../log/logger.js';
import {
  createCircuitRegistry,
  outcomeOf,
  type CircuitChange,
  type CircuitOptions,
  type CircuitSync,
} from './circuit.js';

const opts: CircuitOptions = {
  enabled: true,
  failureThreshold: 3,
  errorRatePct: 50,
  minRequests: 10,
  windowMs: 10_000,
  openMs: 5_000,
  halfOpenProbes: 1,
};

function setup(o: Partial<CircuitOptions> = {}, sync?: CircuitSync) {
  let nowMs = 1_000_000;
  const clock = { now: () => nowMs, monotonicMs: () => nowMs };
  const log = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_c, _e, d) => d() }),
  });
  const registry = createCircuitRegistry({ clock, log, sync }, { ...opts, ...o });
  return {
    registry,
    circuit: registry.circuit('openai/k1'),
    advance: (ms: number) => (nowMs += ms),
  };
}

/** Two registries joined by an in-process bus: what Redis pub/sub does between replicas. */
function inProcessSyncs(): [CircuitSync, CircuitSync] {
  const listeners: ((c: CircuitChange) => void)[] = [];
  const stored = new Map<string, CircuitChange>();
  const make = (): CircuitSync => ({
    publish: (change) => {
      if (change.state === 'open') stored.set(change.id, change);
      else stored.delete(change.id);
      for (const l of listeners) l(change);
    },
    subscribe: (l) => {
      listeners.push(l);
      return Promise.resolve();
    },
    load: (ids) => Promise.resolve(ids.flatMap((id) => stored.get(id) ?? [])),
    close: () => Promise.resolve(),
  });
  return [make(), make()];
}

describe('Circuit', () => {
  it('opens after consecutive failures, refuses until openMs, then admits one probe', () => {
    const { circuit, advance } = setup();
    for (let i = 0; i < 2; i++) {
      expect(circuit.tryAcquire()).toBe(true);
      circuit.record('failure');
    }
    expect(circuit.state).toBe('closed');
    circuit.tryAcquire();
    circuit.record('failure');
    expect([circuit.state, circuit.tryAcquire(), circuit.msUntilProbe()]).toEqual([
      'open',
      false,
      5_000,
    ]);
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    expect([circuit.state, circuit.tryAcquire()]).toEqual(['half_open', false]);
    circuit.record('success');
    expect([circuit.state, circuit.tryAcquire()]).toEqual(['closed', true]);
  });

  it('a failed probe reopens; a neutral one frees the probe slot without a verdict', () => {
    const { circuit, advance } = setup({ failureThreshold: 1 });
    circuit.tryAcquire();
    circuit.record('failure');
    advance(5_000);
    circuit.tryAcquire();
    circuit.record('neutral');
    expect([circuit.state, circuit.tryAcquire()]).toEqual(['half_open', true]);
    circuit.record('failure');
    expect([circuit.state, circuit.msUntilProbe()]).toEqual(['open', 5_000]);
  });

  it('a success resets the run of failures', () => {
    const { circuit } = setup();
    for (const o of ['failure', 'failure', 'success', 'failure', 'failure'] as const) {
      circuit.tryAcquire();
      circuit.record(o);
    }
    expect(circuit.state).toBe('closed');
  });

  it('opens on the error rate once minRequests calls are in the window', () => {
    const { circuit } = setup({ failureThreshold: 100 });
    for (let i = 0; i < 9; i++) {
      circuit.tryAcquire();
      circuit.record(i % 2 === 0 ? 'failure' : 'success');
    }
    expect(circuit.state).toBe('closed');
    circuit.tryAcquire();
    circuit.record('failure');
    expect(circuit.state).toBe('open');
  });

  it('disabled: always admits', () => {
    const { circuit } = setup({ enabled: false, failureThreshold: 1 });
    circuit.record('failure');
    expect([circuit.state, circuit.tryAcquire()]).toEqual(['closed', true]);
  });
});

describe('outcomeOf', () => {
  it('counts upstream faults, not caller faults', () => {
    expect(outcomeOf(undefined)).toBe('success');
    expect(outcomeOf(new GatewayError('upstream_overloaded'))).toBe('failure');
    expect(outcomeOf(new GatewayError('upstream_auth_failed'))).toBe('failure');
    expect(outcomeOf(new GatewayError('upstream_invalid_request'))).toBe('neutral');
    expect(outcomeOf(new GatewayError('client_closed'))).toBe('neutral');
    expect(outcomeOf(new GatewayError('upstream_timeout_total'))).toBe('neutral');
  });
});

describe('shared breakers', () => {
  it('one replica opening a circuit opens it on the other; closing closes it', async () => {
    const [syncA, syncB] = inProcessSyncs();
    const a = setup({ failureThreshold: 1 }, syncA);
    const b = setup({ failureThreshold: 1 }, syncB);
    await Promise.all([a.registry.start(), b.registry.start()]);
    a.circuit.tryAcquire();
    a.circuit.record('failure');
    expect([b.circuit.state, b.circuit.tryAcquire()]).toEqual(['open', false]);
    a.advance(5_000);
    b.advance(5_000);
    a.circuit.tryAcquire();
    a.circuit.record('success');
    expect([b.circuit.state, b.circuit.tryAcquire()]).toEqual(['closed', true]);
  });

  it('a replica that starts late loads circuits already open', async () => {
    const [syncA, syncB] = inProcessSyncs();
    const a = setup({ failureThreshold: 1 }, syncA);
    await a.registry.start();
    a.circuit.tryAcquire();
    a.circuit.record('failure');
    const b = setup({}, syncB);
    await b.registry.start();
    expect(b.circuit.state).toBe('open');
  });
});
