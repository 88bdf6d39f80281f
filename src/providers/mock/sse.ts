import type { ServerResponse } from 'node:http';

/** One server-sent event of a mock stream. */
export interface SseFrame {
  /** `event:` line; OpenAI chat streams send none. */
  event?: string;
  /** `data:` payload, already serialised (JSON, or the `[DONE]` sentinel). */
  data: string;
  /** Carries reply text: truncate, stall and malformed faults count these. */
  isContent: boolean;
  /** AWS event stream: an exception message of this type instead of an event. */
  exception?: string;
}

export function jsonFrame(
  data: unknown,
  opts: { event?: string; isContent?: boolean } = {},
): SseFrame {
  const frame: SseFrame = { data: JSON.stringify(data), isContent: opts.isContent ?? false };
  if (opts.event !== undefined) frame.event = opts.event;
  return frame;
}

export function formatFrame(frame: SseFrame): string {
  const head = frame.event === undefined ? '' : `event: ${frame.event}\n`;
  return `${head}data: ${frame.data}\n\n`;
}

/** Writes to a response with backpressure; every call reports whether the client is still there. */
export interface ResponseSink {
  /** Resolves false once the client has gone. */
  write(text: string | Buffer): Promise<boolean>;
  /** Resolves when everything written so far has reached the socket. */
  flushed(): Promise<void>;
  /** Resolves when the response closes (client gone, socket destroyed or ended). */
  closed(): Promise<void>;
}

export function createResponseSink(res: ServerResponse): ResponseSink {
  let lastWrite: Promise<void> = Promise.resolve();
  const closedPromise = new Promise<void>((resolve) => {
    if (res.closed) resolve();
    else res.once('close', () => resolve());
  });
  const isOpen = (): boolean => !res.destroyed && !res.closed && !res.writableEnded;

  return {
    write(text) {
      if (!isOpen()) return Promise.resolve(false);
      let hasRoom = true;
      lastWrite = new Promise<void>((resolve) => {
        hasRoom = res.write(text, () => resolve());
      });
      return hasRoom ? Promise.resolve(true) : waitForDrain(res);
    },
    async flushed() {
      await Promise.race([lastWrite, closedPromise]);
    },
    closed() {
      return closedPromise;
    },
  };
}

function waitForDrain(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => settle(true);
    const onClose = (): void => settle(false);
    function settle(isOpen: boolean): void {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(isOpen);
    }
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Resolves true after `ms`, or false as soon as the response closes (the client left). */
export function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.closed);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}
