import { errorCodes, type ErrorCode } from './codes.js';

export interface GatewayErrorOptions {
  message?: string;
  param?: string;
  retryAfterSec?: number;
  cause?: unknown;
}

/** The one error class. Callers and tests match on `code`, never on the message. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCode, opts: GatewayErrorOptions = {}) {
    super(opts.message ?? errorCodes[code].message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.param = opts.param;
    this.retryAfterSec = opts.retryAfterSec;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
