import { errors as undiciErrors, util as undiciUtil, type Dispatcher } from 'undici';

/** An EventTarget-style abort signal; undici accepts any (the gateway passes a light one). */
export interface UpstreamAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: unknown): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A reply's body as it arrives, read once with `for await`. Each step hands over everything
 * that arrived since the last one, in one buffer: a socket read carrying many SSE events is one
 * chunk, as a stream's `read()` gave it.
 */
export interface ReplyBody extends AsyncIterable<Buffer> {
  readonly destroyed: boolean;
  /** Stops reading: the rest is never read and the connection is dropped (the upstream sees it). */
  destroy(): void;
}

/** A reply whose body is still arriving. */
export interface UpstreamResponse {
  readonly status: number;
  /** Every header by lower-case name, parsed on first use. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** A header's value by lower-case name (the first, when repeated), without parsing the rest. */
  header(name: string): string | undefined;
  readonly body: ReplyBody;
}

/**
 * The reply at its headers. A provider sends a score of them (rate limits, ids, cookies) and
 * the gateway reads one or two: a header is decoded when asked for, all of them only for
 * `headers`.
 */
class StreamReply implements UpstreamResponse {
  readonly #rawHeaders: Buffer[];
  #headers: Record<string, string | string[] | undefined> | undefined;

  constructor(
    readonly status: number,
    rawHeaders: Buffer[],
    readonly body: ReplyBody,
  ) {
    this.#rawHeaders = rawHeaders;
  }

  get headers(): Record<string, string | string[] | undefined> {
    return (this.#headers ??= undiciUtil.parseHeaders(this.#rawHeaders));
  }

  header(name: string): string | undefined {
    const raw = this.#rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i] as Buffer;
      // As undici names them (`parseHeaders`), and its value decoded the same way.
      if (key.length === name.length && undiciUtil.headerNameToString(key) === name) {
        return (raw[i + 1] as Buffer).toString('latin1');
      }
    }
    return undefined;
  }
}

/** Bytes held for a reader that is behind before the connection is paused (undici's body's). */
const HIGH_WATER_MARK = 64 * 1024;
const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

/**
 * The caller's abort signal tied to one undici dispatch, shared by the gateway's reply
 * handlers: an abort before the connection is ready is kept and applied in `onConnect`, one
 * after it aborts the request. A handler calls `detach()` once it has settled and
 * `abortRequest()` to drop the connection (the upstream sees it go).
 */
export abstract class SignalledHandler {
  readonly #signal: UpstreamAbortSignal;
  #abort: ((err: Error) => void) | undefined;
  #reason: Error | undefined;

  constructor(signal: UpstreamAbortSignal) {
    this.#signal = signal;
    if (signal.aborted) this.#reason = abortReason(signal);
    else signal.addEventListener('abort', this.#onAbort);
  }

  readonly #onAbort = (): void => {
    const reason = abortReason(this.#signal);
    if (this.#abort === undefined) this.#reason = reason;
    else this.#abort(reason);
  };

  onConnect(abort: (err?: Error) => void): void {
    if (this.#reason !== undefined) abort(this.#reason);
    else this.#abort = abort;
  }

  protected abortRequest(): void {
    this.#abort?.(new undiciErrors.RequestAbortedError());
  }

  protected detach(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}

/**
 * An undici dispatch handler that is the reply's body too: what `pool.request` does, less the
 * body stream, its async iterator and its end-of-stream watcher per reply. The response promise
 * settles at the headers (or the first failure); after that, a failure (the caller leaving
 * through `signal`, an idle timeout, a reset) is thrown by the next read. A reader that falls
 * behind pauses the connection, as a full stream buffer did.
 */
export class StreamReplyHandler
  extends SignalledHandler
  implements Dispatcher.DispatchHandler, ReplyBody
{
  #resolve: ((res: UpstreamResponse) => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;
  #resume: (() => void) | undefined;
  #queue: Buffer[] = [];
  #queued = 0;
  #isPaused = false;
  #isEnded = false;
  #failure: Error | undefined;
  #isDestroyed = false;
  /** Set while a read waits for bytes. */
  #wake: (() => void) | undefined;

  constructor(
    signal: UpstreamAbortSignal,
    resolve: (res: UpstreamResponse) => void,
    reject: (err: unknown) => void,
  ) {
    super(signal);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  get destroyed(): boolean {
    return this.#isDestroyed;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx: informational, the reply follows.
    if (statusCode < 200) return true;
    this.#resume = resume;
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(new StreamReply(statusCode, rawHeaders, this));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#isDestroyed) return false;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wakeReader();
    if (this.#queued < HIGH_WATER_MARK) return true;
    this.#isPaused = true;
    return false;
  }

  onComplete(): void {
    this.#isEnded = true;
    this.detach();
    this.#wakeReader();
  }

  onError(err: Error): void {
    this.detach();
    const reject = this.#reject;
    if (reject !== undefined) {
      this.#resolve = this.#reject = undefined;
      reject(err);
      return;
    }
    this.#failure ??= err;
    this.#wakeReader();
  }

  destroy(): void {
    if (this.#isDestroyed) return;
    this.#isDestroyed = true;
    this.#queue = [];
    this.#queued = 0;
    this.detach();
    if (!this.#isEnded && this.#failure === undefined) this.abortRequest();
    this.#wakeReader();
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.#next(),
      return: () => {
        this.destroy();
        return Promise.resolve(DONE);
      },
    };
  }

  async #next(): Promise<IteratorResult<Buffer>> {
    if (this.#queued === 0 && !this.#isEnded && this.#failure === undefined && !this.#isDestroyed)
      await new Promise<void>((wake) => (this.#wake = wake));
    if (this.#isDestroyed) return DONE;
    // What arrived before a failure is still read; the failure comes after it.
    const queue = this.#queue;
    if (queue.length > 0) {
      const value = queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue, this.#queued);
      this.#queue = [];
      this.#queued = 0;
      if (this.#isPaused) {
        this.#isPaused = false;
        this.#resume?.();
      }
      return { done: false, value };
    }
    if (this.#failure !== undefined) throw this.#failure;
    return DONE;
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function abortReason(signal: UpstreamAbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new undiciErrors.RequestAbortedError();
}

/**
 * A body read to its end into one buffer, never holding more than `limitBytes`: past it the
 * rest is never read (the connection goes), and the read either fails (`onOverflow` gives the
 * error) or returns the chunks read before (`onOverflow` undefined: an error body, only ever
 * shown in part).
 */
export async function readBody(
  body: ReplyBody,
  limitBytes: number,
  onOverflow: (() => Error) | undefined,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > limitBytes) {
      if (onOverflow !== undefined) throw onOverflow();
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
