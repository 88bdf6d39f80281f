import { randomBase62, randomHex } from './ids.js';

/** Which provider's wire format a path speaks. */
export type MockDialect = 'openai' | 'anthropic' | 'azure' | 'gemini' | 'bedrock';

/** An error the mock sends, before it is rendered in a dialect. */
export interface MockError {
  status: number;
  message: string;
  param?: string;
  /** OpenAI `error.code`, Azure `error.code`, Bedrock's exception name; from the status when unset. */
  code?: string | null;
  /** Gemini: `error.details[0].reason` (e.g. `API_KEY_INVALID`). */
  reason?: string;
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

/** Google's canonical status name for each HTTP status (google.rpc.Code). */
const googleStatuses: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Bedrock's exception name for each status (Bedrock Runtime API "Errors"). */
const bedrockExceptions: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

export function googleStatus(status: number): string {
  return googleStatuses[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

export function bedrockException(err: MockError): string {
  if (typeof err.code === 'string') return err.code;
  return (
    bedrockExceptions[err.status] ??
    (err.status >= 500 ? 'InternalServerException' : 'ValidationException')
  );
}

/** Headers an error reply carries besides its body: Bedrock names the exception in one. */
export function errorHeaders(err: MockError, dialect: MockDialect): Record<string, string> {
  if (dialect !== 'bedrock') return {};
  return {
    'x-amzn-errortype': `${bedrockException(err)}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  };
}

export function errorBody(err: MockError, dialect: MockDialect): unknown {
  if (dialect === 'azure') {
    // Azure sends the status as a string code unless it has a named one.
    return { error: { code: err.code ?? String(err.status), message: err.message } };
  }
  if (dialect === 'gemini') {
    const error: Record<string, unknown> = {
      code: err.status,
      message: err.message,
      status: googleStatus(err.status),
    };
    if (err.reason !== undefined) {
      error.details = [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: err.reason,
          domain: 'googleapis.com',
        },
      ];
    }
    return { error };
  }
  if (dialect === 'bedrock') return { message: err.message };
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
  switch (dialect) {
    case 'anthropic':
      return 'request-id';
    case 'azure':
      return 'apim-request-id';
    case 'bedrock':
      return 'x-amzn-requestid';
    case 'gemini':
      return 'x-goog-request-id';
    case 'openai':
      return 'x-request-id';
  }
}

export function newRequestId(dialect: MockDialect): string {
  if (dialect === 'anthropic') return `req_011${randomBase62(21)}`;
  if (dialect === 'openai') return `req_${randomHex(16)}`;
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
