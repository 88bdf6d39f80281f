import { randomBase62, randomHex } from './ids.js';

/** Which provider's wire format a path speaks. */
export type MockDialect = 'openai' | 'anthropic';

/** An error the mock sends, before it is rendered in a dialect. */
export interface MockError {
  status: number;
  message: string;
  param?: string;
  /** OpenAI `error.code`; derived from the status when unset. */
  code?: string | null;
  retryAfterSec?: number;
}

/** `error.type` and `error.code` as OpenAI sends them for each status. */
const openaiTypes: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: null },
};

/** `error.type` as Anthropic documents it for each status. */
const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function openaiErrorType(status: number): { type: string; code: string | null } {
  return (
    openaiTypes[status] ??
    (status >= 500
      ? { type: 'api_error', code: null }
      : {
          type: 'invalid_request_error',
          code: null,
        })
  );
}

export function anthropicErrorType(status: number): string {
  return anthropicTypes[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

const defaultMessages: Record<number, string> = {
  400: 'Invalid request.',
  401: 'Invalid authentication credentials.',
  403: 'Permission denied.',
  404: 'Not found.',
  429: 'Rate limit reached for requests. Please try again later.',
  500: 'The server had an error while processing your request.',
  503: 'The service is temporarily unavailable.',
  529: 'Overloaded',
};

export function defaultErrorMessage(status: number): string {
  return defaultMessages[status] ?? `Mock provider error (status ${status}).`;
}

export function errorBody(err: MockError, dialect: MockDialect): unknown {
  if (dialect === 'anthropic') {
    return { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } };
  }
  const { type, code } = openaiErrorType(err.status);
  return {
    error: {
      message: err.message,
      type,
      param: err.param ?? null,
      code: err.code === undefined ? code : err.code,
    },
  };
}

/** Header carrying the request id: OpenAI and Anthropic name it differently. */
export function requestIdHeader(dialect: MockDialect): string {
  return dialect === 'anthropic' ? 'request-id' : 'x-request-id';
}

export function newRequestId(dialect: MockDialect): string {
  return dialect === 'anthropic' ? `req_011${randomBase62(21)}` : `req_${randomHex(16)}`;
}
