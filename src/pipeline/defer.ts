import type { Undo } from './context.js';

/**
 * The undo work stages register with `ctx.defer`, held by whoever built the context (the
 * server) and run when the exchange ends: once, last-in first-out, every function even when
 * one fails. Work deferred while the stack runs still runs.
 */
export class DeferStack {
  readonly #fns: Undo[] = [];

  push(fn: Undo): void {
    this.#fns.push(fn);
  }

  /** Awaits only the undos that return a promise: a synchronous one costs no microtask. */
  async runAll(onError: (err: unknown) => void): Promise<void> {
    for (let fn = this.#fns.pop(); fn !== undefined; fn = this.#fns.pop()) {
      try {
        const done = fn();
        if (done !== undefined) await done;
      } catch (err) {
        onError(err);
      }
    }
  }
}
