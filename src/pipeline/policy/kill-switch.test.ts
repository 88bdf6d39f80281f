import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { createLogger } from '../../log/logger.js';
import { createKillSwitchState } from '../../policy/kill-switch-state.js';
import type { KillSwitch } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import { createKillSwitchStage } from './kill-switch.js';

const log = createLogger({ level: 'silent' });

function setup(switches: KillSwitch[]) {
  let mono = 0;
  let down = false;
  const clock = { now: () => 1_000, monotonicMs: () => mono };
  const store = {
    listKillSwitches: () => (down ? Promise.reject(new Error('down')) : Promise.resolve(switches)),
    setKillSwitch: () => Promise.resolve(),
    clearKillSwitch: () => Promise.resolve(true),
  };
  const state = createKillSwitchState({ store, clock, log }, { pollMs: 500, maxStaleMs: 5_000 });
  const stage = createKillSwitchStage({ state, providerOf: () => 'openai' });
  const ctx = () =>
    ({
      caller: { env: 'prod', key: { id: 'k1' } },
      body: { model: 'gpt-4o-mini' },
      route: { id: 'openai_chat' },
      decisions: [],
    }) as unknown as RequestContext;
  return {
    state,
    run: async () => stage.run(ctx()),
    // The poll timer never ran for this long: an event loop held by a burst of requests.
    starve: () => (mono += 6_000),
    down: () => (down = true),
  };
}

describe('kill switch stage', () => {
  it('admits after a starved poll once one fresh read shows no switch', async () => {
    const t = setup([]);
    await t.state.refresh();
    t.starve();
    expect(t.state.isStale()).toBe(true);
    expect(await t.run()).toBeUndefined();
  });

  it('still refuses a pulled switch after a starved poll', async () => {
    const pulled = setup([
      { scope: 'key', target: 'k1', reason: 'leak', createdAtMs: 1, actor: 'ops' },
    ]);
    await pulled.state.refresh();
    pulled.starve();
    const verdict = await pulled.run();
    expect(verdict).toBeInstanceOf(GatewayError);
    expect((verdict as GatewayError).code).toBe('kill_switch_active');
  });

  it('refuses with store_unavailable when the store cannot be read', async () => {
    const t = setup([]);
    await t.state.refresh();
    t.down();
    t.starve();
    const verdict = await t.run();
    expect(verdict).toBeInstanceOf(GatewayError);
    expect((verdict as GatewayError).code).toBe('store_unavailable');
  });
});
