import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CappedReadError, readCapped } from './read-capped.js';

function source(...chunks: string[]): PassThrough {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  return s;
}

async function reason(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof CappedReadError ? err.reason : String(err);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('readCapped', () => {
  it('returns every byte of a body at or under the cap', async () => {
    const s = source('ab', 'cd');
    s.end();
    expect((await readCapped(s, { limitBytes: 4 })).toString()).toBe('abcd');
  });

  it('returns a one-chunk body as that chunk, and an empty body as no bytes', async () => {
    const chunk = Buffer.from('abcd');
    const one = new PassThrough();
    one.end(chunk);
    expect(await readCapped(one, { limitBytes: 4 })).toBe(chunk);
    const none = new PassThrough();
    none.end();
    expect((await readCapped(none, { limitBytes: 4 })).length).toBe(0);
  });

  it('completes on the declared last byte, before the source ends', async () => {
    const s = source('ab', 'cd');
    expect((await readCapped(s, { limitBytes: 10, expectedBytes: 4 })).toString()).toBe('abcd');
    expect(s.readableEnded).toBe(false);
    const fewer = source('ab');
    fewer.end();
    expect((await readCapped(fewer, { limitBytes: 10, expectedBytes: 4 })).toString()).toBe('ab');
  });

  it('rejects with what mapError makes of any failure', async () => {
    const mapError = (err: unknown) => new Error(`mapped ${(err as CappedReadError).reason}`);
    const s = source('abcde');
    await expect(readCapped(s, { limitBytes: 4, mapError })).rejects.toThrow('mapped too_large');
  });

  it('refuses a body past the cap and closes the source', async () => {
    const s = source('ab', 'cde');
    expect(await reason(readCapped(s, { limitBytes: 4 }))).toBe('too_large');
    expect(s.destroyed).toBe(true);
  });

  it('survives a source that reports its own destruction as an error (as undici bodies do)', async () => {
    const s = new PassThrough({
      destroy(_err, cb) {
        cb(new Error('aborted'));
      },
    });
    s.write('abcdef');
    const closed = new Promise((resolve) => s.once('close', resolve));
    expect(await reason(readCapped(s, { limitBytes: 4 }))).toBe('too_large');
    await closed;
    expect(s.errored?.message).toBe('aborted');
  });

  it('cuts a body at the cap when asked to truncate', async () => {
    const s = source('ab', 'cd', 'ef');
    const bytes = await readCapped(s, { limitBytes: 5, overflow: 'truncate' });
    expect(bytes.toString()).toBe('abcd');
    expect(s.destroyed).toBe(true);
  });

  it('drains instead of closing when asked, so the socket can still answer', async () => {
    const s = source('abcdef');
    expect(await reason(readCapped(s, { limitBytes: 4, rest: 'drain' }))).toBe('too_large');
    expect(s.destroyed).toBe(false);
    s.end('more');
    await new Promise((resolve) => s.once('end', resolve));
  });

  it('gives up on a body that does not finish within timeoutMs', async () => {
    vi.useFakeTimers();
    const read = reason(readCapped(source('ab'), { limitBytes: 10, timeoutMs: 50 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(await read).toBe('timeout');
  });

  it("passes the source's own error through", async () => {
    const s = source('ab');
    const read = reason(readCapped(s, { limitBytes: 10 }));
    s.destroy(new Error('peer reset'));
    expect(await read).toBe('Error: peer reset');
  });

  it('rejects, rather than hangs, when the source closes before its end', async () => {
    const s = source('ab');
    const read = reason(readCapped(s, { limitBytes: 10 }));
    s.destroy();
    expect(await read).toBe('closed');
  });
});
