import type { Socket } from 'node:net';
import { GatewayError } from '../errors/gateway-error.js';
import { renderError } from '../errors/wire.js';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Node's `clientError` handler: what to answer when a connection fails before a request
 * exists (headers too slow, too large or malformed). Node's default answer has no body; ours is
 * the typed OpenAI-shaped error every other refusal uses. The dialect is unknown here, since
 * the path may not have arrived.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (socket.writable && socket.bytesWritten === 0) {
    const gatewayError =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new GatewayError('request_timeout')
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? new GatewayError('headers_too_large')
          : new GatewayError('malformed_http_request');
    const wire = renderError(gatewayError, 'openai');
    const head = [
      `HTTP/1.1 ${wire.status} ${STATUS_TEXT[wire.status] ?? 'Error'}`,
      ...Object.entries(wire.headers).map(([k, v]) => `${k}: ${v}`),
      `content-length: ${Buffer.byteLength(wire.body)}`,
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${wire.body}`);
  }
  socket.destroySoon();
}
