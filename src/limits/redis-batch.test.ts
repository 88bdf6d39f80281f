import { describe, expect, it } from 'vitest';
import { ADMISSION, SETTLEMENT, createBatcher } from './redis-batch.js';

describe('redis call batcher', () => {
  it('sends the calls of one turn together and answers each in order', async () => {
    const sent: (string | number)[][] = [];
    const batch = createBatcher((_keys, args) => {
      sent.push(args);
      return Promise.resolve([[1], [2]]);
    });
    const answers = await Promise.all([
      batch.add(ADMISSION, ['a'], ['x']),
      batch.add(SETTLEMENT, ['b'], ['y']),
    ]);
    expect(answers).toEqual([[1], [2]]);
    expect(sent).toEqual([[2, ADMISSION, 1, 1, 'x', SETTLEMENT, 1, 1, 'y']]);
  });

  it('fails a call whose reply is missing, instead of answering it with nothing', async () => {
    // A script that stopped short (or a proxy that mangled the reply): one answer for two calls.
    const batch = createBatcher(() => Promise.resolve([[1]]));
    const [first, second] = await Promise.allSettled([
      batch.add(ADMISSION, ['a'], []),
      batch.add(ADMISSION, ['a'], []),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: [1] });
    expect(second.status).toBe('rejected');
  });
});
