import type { AbortSource } from '../disconnect.js';

/** The four upstream timeouts; each one that fires has its own error code. */
export interface TimeoutSettings {
  /** TCP + TLS connect: `upstream_timeout_connect`. Per provider (connections are pooled). */
  readonly connectTimeoutMs: number;
  /** Until the response headers arrive: `upstream_timeout_first_byte`. */
  readonly firstByteTimeoutMs: number;
  /** Longest silence between two body chunks, streams included: `upstream_timeout_idle`. */
  readonly idleTimeoutMs: number;
  /** The whole upstream exchange, retries and fallbacks included: `upstream_timeout_total`. */
  readonly totalTimeoutMs: number;
}

export type TimeoutOverrides = Partial<TimeoutSettings>;

/** Gateway defaults < provider overrides < model (route) overrides; connect stays per provider. */
export function resolveTimeouts(
  defaults: TimeoutSettings,
  provider: TimeoutOverrides | undefined,
  model: Omit<TimeoutOverrides, 'connectTimeoutMs'> | undefined,
): TimeoutSettings {
  return Object.freeze({
    connectTimeoutMs: provider?.connectTimeoutMs ?? defaults.connectTimeoutMs,
    firstByteTimeoutMs:
      model?.firstByteTimeoutMs ?? provider?.firstByteTimeoutMs ?? defaults.firstByteTimeoutMs,
    idleTimeoutMs: model?.idleTimeoutMs ?? provider?.idleTimeoutMs ?? defaults.idleTimeoutMs,
    totalTimeoutMs: model?.totalTimeoutMs ?? provider?.totalTimeoutMs ?? defaults.totalTimeoutMs,
  });
}

/** What undici and the retry sleep need of an abort signal (EventTarget-style). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: unknown): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The total-time budget of one upstream exchange, and the signal its calls and waits obey: it
 * aborts when the caller leaves or the budget runs out, whichever comes first. One is made per
 * request, so it is its own light signal (undici accepts any EventTarget-style object): a real
 * AbortController costs several microseconds to create, this a timer and a listener. `clear()`
 * must run once the exchange ends (last byte, error or abort); it is idempotent.
 */
export class UpstreamDeadline implements AbortSignalLike {
  readonly #parent: AbortSource;
  readonly #expiresAtMono: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** undici adds one listener per request: a list is made only for a second one. */
  #listener: (() => void) | undefined;
  #listeners: (() => void)[] | undefined;
  #isExpired = false;
  aborted = false;
  reason: unknown = undefined;

  constructor(parent: AbortSource, totalMs: number, now: () => number) {
    this.#parent = parent;
    this.#now = now;
    this.#expiresAtMono = now() + totalMs;
    if (parent.aborted) {
      this.#abort();
      return;
    }
    parent.addEventListener('abort', this, { once: true });
    this.#timer = setTimeout(UpstreamDeadline.#expire, totalMs, this);
  }

  static #expire(this: void, self: UpstreamDeadline): void {
    self.#timer = undefined;
    self.#isExpired = true;
    self.#parent.removeEventListener('abort', self);
    self.#abort();
  }

  /** The caller left: an EventListener object, so no closure is allocated per request. */
  handleEvent(): void {
    this.clear();
    this.#abort();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    if (this.#listener === undefined && this.#listeners === undefined) this.#listener = listener;
    else {
      const listeners = (this.#listeners ??= []);
      if (this.#listener !== undefined) listeners.push(this.#listener);
      this.#listener = undefined;
      listeners.push(listener);
    }
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#listener === listener) {
      this.#listener = undefined;
      return;
    }
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at !== -1) listeners.splice(at, 1);
  }

  /** True once the total budget ran out (as opposed to the caller leaving). */
  get isExpired(): boolean {
    return this.#isExpired;
  }

  remainingMs(): number {
    return Math.max(0, this.#expiresAtMono - this.#now());
  }

  clear(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#parent.removeEventListener('abort', this);
  }

  #abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('The upstream exchange was aborted.', 'AbortError');
    const only = this.#listener;
    const listeners = this.#listeners;
    this.#listener = undefined;
    this.#listeners = undefined;
    if (only !== undefined) only();
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
