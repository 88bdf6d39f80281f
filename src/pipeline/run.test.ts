import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { createLogger } from '../log/logger.js';
import type { RequestContext } from './context.js';
import { runStages } from './run.js';
import type { Stage } from './stage.js';

const ctx = { log: createLogger({ level: 'silent' }) } as unknown as RequestContext;
const stage = (name: Stage['name'], run: Stage['run']): Stage => ({ name, run });

describe('runStages', () => {
  it('returns synchronously when every stage is synchronous', () => {
    const seen: string[] = [];
    const result = runStages(
      [
        stage('authenticate', () => void seen.push('a')),
        stage('validate', () => void seen.push('b')),
      ],
      ctx,
    );
    expect(result).toBeUndefined();
    expect(seen).toEqual(['a', 'b']);
  });

  it('stops at the first verdict, after awaiting async stages', async () => {
    const seen: string[] = [];
    const result = await runStages(
      [
        stage('authenticate', () => Promise.resolve(void seen.push('a'))),
        stage('validate', () => new GatewayError('invalid_request')),
        stage('route', () => void seen.push('never')),
      ],
      ctx,
    );
    expect(result?.code).toBe('invalid_request');
    expect(seen).toEqual(['a']);
  });

  it('turns an unexpected throw into internal_error, and a thrown GatewayError into itself', async () => {
    expect(
      (
        await runStages(
          [
            stage('route', () => {
              throw new TypeError('bug');
            }),
          ],
          ctx,
        )
      )?.code,
    ).toBe('internal_error');
    const rejected = await runStages(
      [stage('route', () => Promise.reject(new GatewayError('store_unavailable')))],
      ctx,
    );
    expect(rejected?.code).toBe('store_unavailable');
  });

  it('runs sync and async stages in turn after an async one, and a later rejection is a bug', async () => {
    const seen: string[] = [];
    const result = await runStages(
      [
        stage('authenticate', () => Promise.resolve(void seen.push('a'))),
        stage('read_body', () => void seen.push('b')),
        stage('validate', () => Promise.resolve(void seen.push('c'))),
        stage('route', () => void seen.push('d')),
        stage('upstream', () => Promise.reject(new TypeError('bug'))),
        stage('guard_output', () => void seen.push('never')),
      ],
      ctx,
    );
    expect([result?.code, seen]).toEqual(['internal_error', ['a', 'b', 'c', 'd']]);
    const allDone = await runStages(
      [
        stage('authenticate', () => Promise.resolve(undefined)),
        stage('read_body', () => undefined),
      ],
      ctx,
    );
    expect(allDone).toBeUndefined();
  });
});
