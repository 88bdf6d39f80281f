/** An `abort` listener as an object: its holder listens, so no closure is made per request. */
export interface AbortListenerObject {
  handleEvent(): void;
}

/** What the upstream deadline needs of its parent signal; an `AbortSignal` has it too. */
export interface AbortSource {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: AbortListenerObject, options?: unknown): void;
  removeEventListener(type: 'abort', listener: AbortListenerObject): void;
}

/**
 * Aborted when the client goes away, once. The request path has one listener (the upstream
 * deadline), so this is a plain list rather than an `AbortController`, whose EventTarget
 * listeners cost microseconds per request to add and remove. A real `AbortSignal` is made
 * only when a stage asks for one (a remote classifier or moderator).
 */
export class DisconnectSignal implements AbortSource {
  #isAborted = false;
  #listeners: AbortListenerObject[] | undefined;
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#isAborted;
  }

  /** The same state as an `AbortSignal` (for fetch, `AbortSignal.any`), made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#isAborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** As on an `AbortSignal`: a listener added after the abort is never called. */
  addEventListener(_type: 'abort', listener: AbortListenerObject): void {
    if (this.#isAborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: AbortListenerObject): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at !== -1) listeners.splice(at, 1);
  }

  /** Idempotent: the first call tells every listener, in the order they were added. */
  abort(): void {
    if (this.#isAborted) return;
    this.#isAborted = true;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener.handleEvent();
    this.#controller?.abort();
  }
}
