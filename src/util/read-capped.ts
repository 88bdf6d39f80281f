import type { Readable } from 'node:stream';

/** Why a capped read stopped without an 'error' from the stream itself. */
export type CappedReadFailure = 'too_large' | 'timeout' | 'closed';

/** A capped read ended early; each caller maps `reason` to its own typed error. */
export class CappedReadError extends Error {
  constructor(readonly reason: CappedReadFailure) {
    super(`capped read stopped: ${reason}`);
    this.name = 'CappedReadError';
  }
}

export interface CappedReadOptions {
  readonly limitBytes: number;
  /** The whole body must arrive within this, so an endless or trickled body cannot hold a reader. */
  readonly timeoutMs?: number;
  /**
   * Past the cap: `reject` (default) fails with `too_large`; `truncate` resolves with the chunks
   * read so far (at most `limitBytes`), for bodies that are only ever shown in part.
   */
  readonly overflow?: 'reject' | 'truncate';
  /**
   * What happens to the unread rest past the cap: `destroy` (default) closes the source;
   * `drain` lets it flow to nowhere, so an HTTP server can still answer on the same socket.
   */
  readonly rest?: 'destroy' | 'drain';
  /**
   * Maps any failure before it rejects (the caller's typed error): spares a `.catch` and its
   * promise per read on the request path.
   */
  readonly mapError?: (err: unknown) => Error;
  /**
   * The length the source declared and is held to (an HTTP request's Content-Length: Node's
   * parser ends the body at exactly that byte). The read completes on that byte instead of a
   * tick later on 'end'.
   */
  readonly expectedBytes?: number;
}

function ignore(): void {}

/**
 * Reads a stream into one buffer, never holding more than `limitBytes`. Rejects with the
 * stream's own error when it fails, or with a `CappedReadError` when the cap or the timeout
 * is passed or the stream closes before its end. Event listeners, not `for await`: one
 * promise per body rather than one per chunk, on the request path.
 */
export function readCapped(stream: Readable, opts: CappedReadOptions): Promise<Buffer> {
  const { limitBytes, mapError, expectedBytes } = opts;
  return new Promise((resolve, fail) => {
    const reject = mapError === undefined ? fail : (err: unknown) => fail(mapError(err));
    // Most bodies arrive in one chunk: the list is made only for a second one.
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const collected = () =>
      chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0));
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limitBytes) {
        cleanup();
        if (opts.rest === 'drain') stream.resume();
        else {
          // Some sources (undici's body) report their own destruction as an 'error'; nobody
          // else is listening, and an unheard 'error' would bring the process down.
          stream.on('error', ignore);
          stream.destroy();
        }
        if (opts.overflow === 'truncate') resolve(collected());
        else reject(new CappedReadError('too_large'));
        return;
      }
      size += chunk.length;
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
      if (size === expectedBytes) onEnd();
    };
    const onEnd = () => {
      cleanup();
      resolve(collected());
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // A source destroyed without an error emits only 'close'; without this backstop the read
    // would stay pending forever (Node 20 reports a peer leaving mid-body as 'error').
    const onClose = () => {
      cleanup();
      reject(new CappedReadError('closed'));
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            cleanup();
            reject(new CappedReadError('timeout'));
          }, opts.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
