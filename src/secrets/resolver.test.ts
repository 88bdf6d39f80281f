import { describe, expect, it, vi } from 'vitest';
import { captureLogger, events, fakeClock } from '../../test/helpers/secrets.js';
import { createScrubber } from '../log/scrub.js';
import { Secret } from '../log/secret.js';
import { createEnvSource } from './env.js';
import { createSecretResolver } from './resolver.js';
import type { SecretRetrieval, SecretSource } from './types.js';

/** An aws: source whose value and failures the test controls. */
function controlled() {
  const state = { value: 'sk-rotating-value-0001', version: 'v1', fail: false, calls: 0 };
  const source: SecretSource<'aws'> = {
    scheme: 'aws',
    resolve(ref) {
      state.calls += 1;
      if (state.fail) return Promise.reject(new Error(`backend down for ${ref.secretId}`));
      return Promise.resolve({ secret: new Secret(state.value), version: state.version });
    },
  };
  return { state, source };
}

function setup(ttlMs = 0) {
  const { log, lines } = captureLogger();
  const clock = fakeClock();
  const scrubber = createScrubber();
  const audits: SecretRetrieval[] = [];
  const ctl = controlled();
  const env = { OPENAI_KEY: 'sk-env-value-123456789' };
  const resolver = createSecretResolver(
    {
      sources: [createEnvSource({ env }), ctl.source],
      log,
      clock,
      scrubber,
      onRetrieval: (r) => audits.push(r),
    },
    { cacheTtlMs: ttlMs, retryAfterErrorMs: 1_000 },
  );
  return { resolver, ctl, clock, scrubber, audits, lines, env };
}

const ctx = { component: 'provider:openai' };

describe('secret resolver', () => {
  it('dispatches by scheme, caches, registers values with the scrubber and audits fetches only', async () => {
    const { resolver, ctl, scrubber, audits } = setup();
    const a = await resolver.resolve('aws:prod/openai', ctx);
    const b = await resolver.resolve('aws:prod/openai', { component: 'upstream' });
    const e = await resolver.resolve('env:OPENAI_KEY', ctx);
    expect([a.reveal(), b.reveal(), e.reveal()]).toEqual([
      'sk-rotating-value-0001',
      'sk-rotating-value-0001',
      'sk-env-value-123456789',
    ]);
    expect(ctl.state.calls).toBe(1);
    expect(scrubber.scrub('x sk-env-value-123456789 y')).toBe('x [redacted] y');
    expect(audits.map((r) => [r.ref, r.trigger, r.outcome, r.version])).toEqual([
      ['aws:prod/openai', 'start', 'ok', 'v1'],
      ['env:OPENAI_KEY', 'start', 'ok', undefined],
    ]);
  });

  it('logs secret_resolved with ref, component and version, never the value', async () => {
    const { resolver, lines } = setup();
    await resolver.resolve('aws:prod/openai', ctx);
    const [event] = events(lines).filter((l) => l.event === 'secret_resolved');
    expect(event).toMatchObject({
      ref: 'aws:prod/openai',
      scheme: 'aws',
      components: ['provider:openai'],
      trigger: 'start',
      version: 'v1',
      mod: 'secrets',
    });
    expect(lines.join('')).not.toContain('sk-rotating');
  });

  it('shares one fetch between concurrent first resolutions', async () => {
    const { resolver, ctl } = setup();
    const all = await Promise.all([1, 2, 3].map(() => resolver.resolve('aws:x', ctx)));
    expect(new Set(all).size).toBe(1);
    expect(ctl.state.calls).toBe(1);
  });

  it('picks up a new version on reload, reports it and tells listeners', async () => {
    const { resolver, ctl, audits } = setup();
    const handle = await resolver.handle('aws:prod/openai', ctx);
    const changes: string[] = [];
    resolver.onChange((ref) => changes.push(ref));
    Object.assign(ctl.state, { value: 'sk-rotating-value-0002', version: 'v2' });
    const report = await resolver.reload();
    expect(report).toEqual({
      refreshed: 1,
      changed: ['aws:prod/openai'],
      failed: [],
      outcomes: [{ ref: 'aws:prod/openai', scheme: 'aws', outcome: 'ok', isChanged: true }],
    });
    expect(handle.current().reveal()).toBe('sk-rotating-value-0002');
    expect(changes).toEqual(['aws:prod/openai']);
    expect(audits.at(-1)).toMatchObject({ trigger: 'reload', version: 'v2', isChanged: true });
  });

  it('keeps the previous value when a reload fails, and says which ref failed', async () => {
    const { resolver, ctl, lines } = setup();
    await resolver.resolve('aws:prod/openai', ctx);
    ctl.state.fail = true;
    const report = await resolver.reload();
    expect(report.failed).toEqual([{ ref: 'aws:prod/openai', code: 'secret_unavailable' }]);
    expect((await resolver.resolve('aws:prod/openai', ctx)).reveal()).toBe(
      'sk-rotating-value-0001',
    );
    expect(events(lines).some((l) => l.event === 'secret_resolve_failed')).toBe(true);
  });

  it('logs one secrets_reloaded line with counts (warn when a ref failed), never a value', async () => {
    const { resolver, ctl, lines } = setup();
    await resolver.resolve('aws:prod/openai', ctx);
    await resolver.resolve('env:OPENAI_KEY', ctx);
    ctl.state.fail = true;
    const report = await resolver.reload();
    expect(report.outcomes).toEqual([
      { ref: 'aws:prod/openai', scheme: 'aws', outcome: 'error', code: 'secret_unavailable' },
      { ref: 'env:OPENAI_KEY', scheme: 'env', outcome: 'ok', isChanged: false },
    ]);
    ctl.state.fail = false;
    await resolver.reload();
    const reloaded = events(lines).filter((l) => l.event === 'secrets_reloaded');
    expect(reloaded).toEqual([
      expect.objectContaining({ level: 'warn', ok: 1, failed: 1, changed: 0 }),
      expect.objectContaining({ level: 'info', ok: 2, failed: 0, changed: 0 }),
    ]);
    expect(lines.join('')).not.toMatch(/sk-rotating-value|sk-env-value/);
  });

  it('refreshes after the TTL with an injected clock, in the background for handles', async () => {
    const { resolver, ctl, clock } = setup(60_000);
    const handle = await resolver.handle('aws:prod/openai', ctx);
    Object.assign(ctl.state, { value: 'sk-rotating-value-0002', version: 'v2' });
    clock.advance(59_999);
    expect(handle.current().reveal()).toBe('sk-rotating-value-0001');
    expect(ctl.state.calls).toBe(1);
    clock.advance(1);
    expect(handle.current().reveal()).toBe('sk-rotating-value-0001'); // old value while fetching
    expect((await resolver.resolve('aws:prod/openai', ctx)).reveal()).toBe(
      'sk-rotating-value-0002',
    );
    expect(ctl.state.calls).toBe(2);
    expect(handle.current().reveal()).toBe('sk-rotating-value-0002');
  });

  it('after a failed TTL refresh serves the old value and waits before trying again', async () => {
    const { resolver, ctl, clock } = setup(60_000);
    await resolver.resolve('aws:k', ctx);
    ctl.state.fail = true;
    clock.advance(60_000);
    expect((await resolver.resolve('aws:k', ctx)).reveal()).toBe('sk-rotating-value-0001');
    await resolver.resolve('aws:k', ctx);
    expect(ctl.state.calls).toBe(2);
    clock.advance(1_000);
    await resolver.resolve('aws:k', ctx);
    expect(ctl.state.calls).toBe(3);
  });

  it('refuses unknown or unconfigured schemes and bad references with secret_unavailable', async () => {
    const { resolver } = setup();
    await expect(resolver.resolve('gcp:projects/p/secrets/s', ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
      message: expect.stringContaining('secrets.gcp') as unknown,
    });
    await expect(resolver.resolve('sk-literal', ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
  });

  it('reports a missing env variable as secret_not_found, naming the ref only', async () => {
    const { resolver } = setup();
    const err = await resolver.resolve('env:MISSING_ONE', ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'secret_not_found',
      message: expect.stringContaining('env:MISSING_ONE') as unknown,
    });
  });

  it('a throwing audit hook does not break resolution', async () => {
    const { log, lines } = captureLogger();
    const resolver = createSecretResolver(
      {
        sources: [createEnvSource({ env: { K: 'value-abcdefgh' } })],
        log,
        onRetrieval: () => {
          throw new Error('audit store down');
        },
      },
      { cacheTtlMs: 0 },
    );
    expect((await resolver.resolve('env:K', ctx)).reveal()).toBe('value-abcdefgh');
    expect(events(lines).some((l) => l.event === 'secret_audit_hook_failed')).toBe(true);
  });

  it('reads manager credentials through the kit, audited, env: and file: only', async () => {
    const { log } = captureLogger();
    const audits: SecretRetrieval[] = [];
    let seen = '';
    const resolver = createSecretResolver(
      {
        sources: (kit) => [
          createEnvSource({ env: { TOKEN: 'hvs.token-abcdefgh' } }),
          {
            scheme: 'hcv',
            async resolve() {
              seen = (await kit.readCredential('env:TOKEN', 'secrets:hashicorp')).reveal();
              await expect(kit.readCredential('aws:x', 'secrets:hashicorp')).rejects.toMatchObject({
                code: 'secret_unavailable',
              });
              return { secret: new Secret('kv-value-12345678') };
            },
          },
        ],
        log,
        onRetrieval: (r) => audits.push(r),
      },
      { cacheTtlMs: 0 },
    );
    await resolver.resolve('hcv:secret/data/a#b', ctx);
    expect(seen).toBe('hvs.token-abcdefgh');
    expect(audits.map((r) => [r.ref, r.trigger, r.components])).toEqual([
      ['env:TOKEN', 'credential', ['secrets:hashicorp']],
      ['hcv:secret/data/a#b', 'start', ['provider:openai']],
    ]);
  });

  it('refuses to resolve after close', async () => {
    const { resolver } = setup();
    await resolver.close();
    await expect(resolver.resolve('env:OPENAI_KEY', ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
  });
});

describe('secret resolver TTL timer', () => {
  it('refreshDue refreshes expired values without anyone reading them, and tells listeners', async () => {
    const { resolver, ctl, clock } = setup(60_000);
    await resolver.resolve('aws:k', ctx);
    const changes: string[] = [];
    resolver.onChange((ref) => changes.push(ref));
    ctl.state.value = 'sk-rotating-value-0002';
    await resolver.refreshDue();
    expect(changes).toEqual([]);
    clock.advance(60_000);
    await resolver.refreshDue();
    expect(changes).toEqual(['aws:k']);
    await resolver.close();
  });

  it('runs refreshDue on an unref-ed interval', async () => {
    vi.useFakeTimers();
    try {
      const { resolver, ctl, clock } = setup(60_000);
      await resolver.resolve('aws:k', ctx);
      const changed = new Promise<string>((resolve) => resolver.onChange(resolve));
      ctl.state.value = 'sk-rotating-value-0003';
      clock.advance(60_000);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await changed).toBe('aws:k');
      await resolver.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
