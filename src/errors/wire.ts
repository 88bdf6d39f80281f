import { errorCodes } from './codes.js';
import type { GatewayError } from './gateway-error.js';

export type Dialect = 'openai' | 'anthropic';

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Renders an error in the caller's dialect. Anthropic's shape carries no code, so we add
 * `error.code` there too (SDKs ignore unknown fields) and send it as `x-bastion-error-code`.
 */
export function renderError(err: GatewayError, dialect: Dialect): WireError {
  const spec = errorCodes[err.code];
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-bastion-error-code': err.code,
  };
  if (err.retryAfterSec !== undefined) headers['retry-after'] = String(err.retryAfterSec);
  const body =
    dialect === 'anthropic'
      ? {
          type: 'error',
          error: { type: spec.anthropicType, message: err.message, code: err.code },
        }
      : {
          error: {
            message: err.message,
            type: spec.openaiType,
            param: err.param ?? null,
            code: err.code,
          },
        };
  return { status: err.status, headers, body: JSON.stringify(body) };
}

/** An error that happens after a stream started is sent as a final SSE event. */
export function renderStreamError(err: GatewayError, dialect: Dialect): string {
  const spec = errorCodes[err.code];
  if (dialect === 'anthropic') {
    const data = {
      type: 'error',
      error: { type: spec.anthropicType, message: err.message, code: err.code },
    };
    return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
  }
  const data = {
    error: { message: err.message, type: spec.openaiType, param: null, code: err.code },
  };
  return `data: ${JSON.stringify(data)}\n\n`;
}
