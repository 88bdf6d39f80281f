import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import type { KillSwitch } from '../store/types.js';
import { createKillSwitchState } from './kill-switch-state.js';

const log = createLogger({ level: 'silent' });

function clock() {
  let mono = 0;
  return { now: () => 1_000, monotonicMs: () => mono, advance: (ms: number) => (mono += ms) };
}

function store(initial: KillSwitch[] = []) {
  let entries = [...initial];
  let isDown = false;
  return {
    reads: 0,
    listKillSwitches() {
      this.reads += 1;
      return isDown ? Promise.reject(new Error('down')) : Promise.resolve(entries);
    },
    setKillSwitch: (e: KillSwitch) => {
      entries = [...entries, e];
      return Promise.resolve();
    },
    clearKillSwitch: () => Promise.resolve(true),
    down() {
      isDown = true;
    },
    up() {
      isDown = false;
    },
  };
}

const global: KillSwitch = {
  scope: 'global',
  target: '*',
  reason: 'r',
  createdAtMs: 1,
  actor: 'a',
};

describe('kill switch state', () => {
  it('loads switches, answers from memory, and applies its own changes at once', async () => {
    const s = store([global]);
    const state = createKillSwitchState(
      { store: s, clock: clock(), log },
      { pollMs: 1_000, maxStaleMs: 5_000 },
    );
    await state.start();
    try {
      expect(state.isKilled('global', '*')).toBe(true);
      expect(state.isKilled('provider', 'openai')).toBe(false);
      await state.set({ ...global, scope: 'provider', target: 'openai' });
      expect(state.isKilled('provider', 'openai')).toBe(true);
      await state.clear('global', '*');
      expect(state.isKilled('global', '*')).toBe(false);
    } finally {
      state.stop();
    }
  });

  it('turns stale when the store stops answering, and fresh again when it answers', async () => {
    const s = store();
    const c = clock();
    const state = createKillSwitchState(
      { store: s, clock: c, log },
      { pollMs: 1_000, maxStaleMs: 5_000 },
    );
    await state.start();
    try {
      expect(state.isStale()).toBe(false);
      s.down();
      c.advance(4_000);
      await state.refresh();
      expect(state.isStale()).toBe(false);
      c.advance(1_001);
      expect(state.isStale()).toBe(true);
    } finally {
      state.stop();
    }
  });

  it('is stale before the first successful read', () => {
    const state = createKillSwitchState(
      { store: store(), clock: clock(), log },
      { pollMs: 1_000, maxStaleMs: 5_000 },
    );
    expect(state.isStale()).toBe(true);
  });

  it('after a missed poll, one read shared by every waiting request makes it fresh again', async () => {
    const s = store([global]);
    const c = clock();
    const state = createKillSwitchState(
      { store: s, clock: c, log },
      { pollMs: 1_000, maxStaleMs: 5_000 },
    );
    await state.start();
    state.stop();
    // The event loop was too busy for the poll timer to run: nothing is wrong with the store.
    c.advance(6_000);
    expect(state.isStale()).toBe(true);
    const reads = s.reads;
    expect(await Promise.all([state.refreshStale(), state.refreshStale()])).toEqual([true, true]);
    expect(s.reads).toBe(reads + 1);
    expect(state.isStale()).toBe(false);
    expect(state.isKilled('global', '*')).toBe(true);
  });

  it('with the store down, stays stale and asks it at most once per poll interval', async () => {
    const s = store();
    const c = clock();
    const state = createKillSwitchState(
      { store: s, clock: c, log },
      { pollMs: 1_000, maxStaleMs: 5_000 },
    );
    await state.start();
    state.stop();
    s.down();
    c.advance(6_000);
    const reads = s.reads;
    expect(await state.refreshStale()).toBe(false);
    expect(await state.refreshStale()).toBe(false);
    expect(s.reads).toBe(reads + 1);
    c.advance(999);
    expect(await state.refreshStale()).toBe(false);
    expect(s.reads).toBe(reads + 1);
    s.up();
    c.advance(1);
    expect(await state.refreshStale()).toBe(true);
    expect(s.reads).toBe(reads + 2);
  });
});
