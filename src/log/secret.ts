import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a secret value in memory. Every way of turning it into text prints `[redacted]`;
 * only code that must send it (the upstream dialer) calls `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
