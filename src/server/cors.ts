import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`); empty: CORS is off and browsers are refused. */
  allowedOrigins: readonly string[];
  /** Lets a browser page present a virtual key; off by default (a key in a page is public). */
  allowVirtualKeys: boolean;
  maxAgeSec: number;
}

/** Request headers the SDKs and browsers send, beyond the `x-stainless-*` family. */
const ALLOWED_REQUEST_HEADERS = new Set([
  'authorization',
  'content-type',
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-beta',
  'openai-organization',
  'openai-project',
  'x-bastion-user',
]);

/** What a page may read from an answer: ids, error codes and rate-limit state. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'x-bastion-error-code',
  'retry-after',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
].join(', ');

export type PreflightResult = { ok: true } | { ok: false; reason: 'origin' | 'method' | 'header' };

export interface Cors {
  /** The request's Origin when it is an allowed one. */
  allowedOrigin(req: IncomingMessage): string | undefined;
  /** Sets the CORS response headers for an allowed origin (errors carry them too). */
  decorate(res: ServerResponse, origin: string): void;
  /** Answers an OPTIONS preflight for a route that takes `method`. */
  preflight(req: IncomingMessage, res: ServerResponse, method: string): PreflightResult;
  readonly allowVirtualKeys: boolean;
}

/**
 * CORS for browser apps whose users sign in with a JWT. Origins are matched exactly (no
 * wildcards, no credentials mode: the bearer token travels in a header), requested headers
 * are checked against what the SDKs send, and a page from another origin gets no CORS headers,
 * so the browser withholds the answer.
 */
export function createCors(opts: CorsOptions): Cors | undefined {
  if (opts.allowedOrigins.length === 0) return undefined;
  const origins = new Set(opts.allowedOrigins);
  const allowedOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return origin !== undefined && origins.has(origin) ? origin : undefined;
  };
  return {
    allowVirtualKeys: opts.allowVirtualKeys,
    allowedOrigin,
    decorate(res, origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      res.setHeader('vary', 'Origin');
    },
    preflight(req, res, method) {
      const origin = allowedOrigin(req);
      if (origin === undefined) return { ok: false, reason: 'origin' };
      if (req.headers['access-control-request-method'] !== method)
        return { ok: false, reason: 'method' };
      const requested = (req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
      if (!requested.every((h) => ALLOWED_REQUEST_HEADERS.has(h) || h.startsWith('x-stainless-')))
        return { ok: false, reason: 'header' };
      res.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': method,
        'access-control-allow-headers': requested.join(', '),
        'access-control-max-age': String(opts.maxAgeSec),
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      res.end();
      return { ok: true };
    },
  };
}
