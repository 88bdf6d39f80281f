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

  /**
   * Runs the stack. Synchronous undos run without a microtask: a promise is returned only once
   * an undo returned one (it is awaited before the next), else `undefined`.
   */
  runAll(onError: (err: unknown) => void): Promise<void> | undefined {
    const done = this.#runUntilAsync(onError);
    return done === undefined ? undefined : this.#drain(done, onError);
  }

  /** Runs undos until one returns a promise, which it returns; `undefined` once all ran. */
  #runUntilAsync(onError: (err: unknown) => void): Promise<void> | undefined {
    for (let fn = this.#fns.pop(); fn !== undefined; fn = this.#fns.pop()) {
      let done: void | Promise<void>;
      try {
        done = fn();
      } catch (err) {
        onError(err);
        continue;
      }
      if (done !== undefined) return done;
    }
    return undefined;
  }

  /** One async frame for the rest of the stack: awaits each undo's promise, nothing else. */
  async #drain(first: Promise<void>, onError: (err: unknown) => void): Promise<void> {
    let done: Promise<void> | undefined = first;
    while (done !== undefined) {
      try {
        await done;
      } catch (err) {
        onError(err);
      }
      done = this.#runUntilAsync(onError);
    }
  }
}
