import { describe, expect, it } from 'vitest';
import { scrubber } from '../../log/scrub.js';
import { mapUpstreamError, parseRetryAfter, readErrorBody } from './errors.js';

const map = (status: number, body: unknown, retryAfter?: string) => {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  return mapUpstreamError({ status, bodyText, retryAfter }, readErrorBody(bodyText));
};

describe('upstream error mapping', () => {
  it.each([
    [401, 'upstream_auth_failed', 502],
    [403, 'upstream_auth_failed', 502],
    [404, 'upstream_model_not_found', 502],
    [429, 'upstream_rate_limited', 429],
    [500, 'upstream_error', 502],
    [503, 'upstream_overloaded', 503],
    [529, 'upstream_overloaded', 503],
    [400, 'upstream_invalid_request', 400],
  ])('maps %i to %s (%i)', (status, code, ourStatus) => {
    const err = map(status, { error: { message: 'nope', type: 'x' } });
    expect(err.code).toBe(code);
    expect(err.status).toBe(ourStatus);
  });

  it('recognises context length errors', () => {
    expect(map(400, { error: { message: 'too long', code: 'context_length_exceeded' } }).code).toBe(
      'context_length_exceeded',
    );
    expect(
      map(400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'prompt is too long: 300000 tokens' },
      }).code,
    ).toBe('context_length_exceeded');
  });

  it('passes Retry-After on from a 429, in seconds or as a date', () => {
    expect(map(429, {}, '7').retryAfterSec).toBe(7);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(map(429, {}).retryAfterSec).toBeUndefined();
  });

  it('never lets an echoed key through, registered or pattern-shaped', () => {
    scrubber.addKnownSecret('canary-provider-secret-0001');
    const err = map(400, {
      error: { message: 'Bad key canary-provider-secret-0001 and sk-proj-abcdefghijklmnop' },
    });
    expect(err.message).not.toContain('canary-provider-secret-0001');
    expect(err.message).not.toContain('sk-proj-abcdefghijklmnop');
    expect(
      map(401, { error: { message: 'Incorrect API key provided: sk-live-123456789' } }).message,
    ).not.toContain('sk-live');
  });

  it('tolerates bodies that are not JSON', () => {
    expect(map(500, '<html>bad gateway</html>').code).toBe('upstream_error');
  });
});
