import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

export interface BodyLimits {
  limitBytes: number;
  /** The whole body must arrive within this, so an endless or trickled body cannot hold a slot. */
  timeoutMs: number;
}

/**
 * Reads a request body up to `limitBytes`; past it, `body_too_large` without buffering more;
 * past `timeoutMs`, `request_timeout`.
 */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { limitBytes } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(new GatewayError('body_too_large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.resume();
        reject(new GatewayError('body_too_large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err?: Error) => {
      cleanup();
      reject(new GatewayError('client_closed', { cause: err }));
    };
    // Node 20 reports a peer that leaves mid-body as 'error' (aborted); 'close' is the backstop
    // so that no future change in that behaviour can leave a read pending forever.
    const onClose = () => {
      if (!req.complete) onError();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new GatewayError('request_timeout'));
    }, limits.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
