/**
 * The built-in mock LLM provider: the OpenAI (`/v1/chat/completions`, `/v1/responses`,
 * `/v1/embeddings`, `/v1/models`) and Anthropic (`/v1/messages`) wire formats, close enough
 * that the official SDKs work against it unchanged, plus fault injection for tests, demos and
 * benchmarks.
 *
 * Faults come from, in order of precedence: an `x-mock-fault: <JSON MockFault>` request header,
 * else the FIFO queue (`enqueueFault()` in process, or `POST /_mock/faults` from another one).
 * Each provider request takes at most one fault. A fault acts in this order: `delayMs`, then
 * `reset`, then `status` (an error in the path's dialect), else the normal reply shaped by
 * `reply`/`chunkSize` and broken by `malformedJson`, `truncateAfterChunks` or `stallAfterChunks`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createControl, type MockReceived } from './control.js';
import { defaultErrorMessage, newRequestId, type MockDialect, type MockError } from './errors.js';
import { parseFault, type MockFault } from './faults.js';
import { hostileError, hostileReply, hostileText } from './hostile.js';
import { DEFAULT_CHUNK_SIZE, invalidRequest, type MockReply } from './reply.js';
import type { AwsCredentials } from '../../util/aws-sigv4.js';
import type { MockCredentials } from './auth.js';
import {
  anyPresentedKey,
  checkAuth,
  echoKeyMessage,
  resolveRoute,
  type MockRoute,
} from './routes.js';
import { waitUnlessClosed } from './sse.js';
import { sendReply, type SendContext } from './transport.js';

export type { MockFault } from './faults.js';
export type { MockReceived } from './control.js';
export { MOCK_MODELS } from './models.js';
export { estimateCompletionTokens, estimatePromptTokens } from './tokens.js';
export { DEFAULT_EMBEDDING_DIMENSIONS } from './openai-embeddings.js';

export interface MockProviderOptions {
  /**
   * If set, requests must carry one of these keys (OpenAI paths: `Authorization: Bearer K`;
   * Anthropic: `x-api-key: K`; Azure: `api-key: K` or bearer; Gemini: `x-goog-api-key: K` or
   * `?key=K`), else the provider's auth error. If unset, any non-empty key is accepted.
   */
  apiKeys?: readonly string[];
  /**
   * Bedrock paths: every request must carry a SigV4 signature (service `bedrock`) that verifies
   * with one of these keys in this region, else 403. If unset, any well-formed signature passes.
   */
  aws?: { region: string; credentials: readonly AwsCredentials[] };
  /**
   * Serve the provider paths under this prefix only (e.g. `/openai`, as Groq does), so tests can
   * prove a gateway keeps a base URL's path; other paths get 404. The control API stays at root.
   */
  basePath?: string;
}

export interface MockProvider {
  /** Resolves the base URL, e.g. `http://127.0.0.1:PORT` (no `/v1`). Defaults: port 0, 127.0.0.1. */
  listen(port?: number, host?: string): Promise<string>;
  /** Closes the server and destroys open sockets (stalled streams included). */
  close(): Promise<void>;
  /** Every provider request, in order; control-endpoint calls are not recorded. */
  readonly received: MockReceived[];
  /** FIFO: each provider request consumes the next fault, if any. */
  enqueueFault(...faults: MockFault[]): void;
  /** Clears queued faults and received requests. */
  reset(): void;
}

const CONTROL_PREFIX = '/_mock/';
const FAULT_HEADER = 'x-mock-fault';

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Picked = { fault: MockFault | undefined } | { reply: MockReply };

/** The header fault (which wins over the queue), else the next queued one, else none. */
function pickFault(headers: Record<string, string>, queue: MockFault[]): Picked {
  const header = headers[FAULT_HEADER];
  if (header === undefined) return { fault: queue.shift() };
  let input: unknown;
  try {
    input = JSON.parse(header);
  } catch {
    return { reply: invalidRequest(`${FAULT_HEADER} must be a JSON fault object`) };
  }
  const parsed = parseFault(input);
  if (parsed.ok) return { fault: parsed.fault };
  return { reply: invalidRequest(`${FAULT_HEADER}: ${parsed.problem}`) };
}

function faultError(
  fault: MockFault & { status: number },
  req: Admission,
  dialect: MockDialect,
): MockError {
  const message = fault.echoKey
    ? echoKeyMessage(anyPresentedKey(req.headers, dialect, req.query), dialect, fault.errorMessage)
    : (fault.errorMessage ?? defaultErrorMessage(fault.status));
  const error: MockError = { status: fault.status, message };
  if (fault.retryAfterSec !== undefined) error.retryAfterSec = fault.retryAfterSec;
  return error;
}

/** A provider request as the checks and endpoints see it. */
interface Admission {
  method: string;
  path: string;
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: Buffer;
  body: unknown;
}

/** Checks the request itself (auth, version header, body) once no fault has taken over. */
function admit(
  route: MockRoute,
  req: Admission,
  creds: MockCredentials,
): { body: Record<string, unknown> } | { reply: MockReply } {
  const { headers, body } = req;
  const authError = checkAuth(req, route.dialect, creds);
  if (authError !== undefined) return { reply: { kind: 'error', error: authError } };
  if (route.dialect === 'anthropic' && headers['anthropic-version'] === undefined) {
    return { reply: invalidRequest('anthropic-version: header is required') };
  }
  if (!route.hasBody) return { body: {} };
  if (isObject(body)) return { body };
  const message =
    route.dialect === 'anthropic'
      ? 'There was an error parsing the body of your request: it must be a JSON object.'
      : 'We could not parse the JSON body of your request. The body must be a JSON object.';
  return { reply: invalidRequest(message) };
}

/** A mock LLM provider speaking the OpenAI and Anthropic wire formats, with fault injection. */
export function createMockProvider(opts: MockProviderOptions = {}): MockProvider {
  // Long by design: the request handler and the control API share the received log and
  // the fault queue.
  const creds: MockCredentials = {
    apiKeys: opts.apiKeys === undefined ? undefined : new Set(opts.apiKeys),
    aws: opts.aws,
  };
  const received: MockReceived[] = [];
  const faults: MockFault[] = [];
  const control = createControl({ faults, received });
  const basePath = opts.basePath?.replace(/\/+$/, '') ?? '';
  /** The path the routes know, or one no route matches when it is outside the base path. */
  const underBase = (pathname: string): string =>
    pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : '/-';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const pathname = path.split('?', 1)[0] ?? '/';
    const query = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
    const rawBody = await readBody(req);
    const bodyText = rawBody.toString('utf8');
    if (pathname.startsWith(CONTROL_PREFIX)) {
      const result = control(method, pathname, bodyText);
      const body = result.body === undefined ? undefined : JSON.stringify(result.body);
      const type = body === undefined ? {} : { 'content-type': 'application/json' };
      res.writeHead(result.status, type).end(body);
      return;
    }
    const headers = flattenHeaders(req);
    const body = parseBody(bodyText);
    received.push({ method, path, headers, body, text: bodyText });

    const route = resolveRoute(method, underBase(pathname), headers);
    const dialect = route?.dialect ?? 'openai';
    const ctx: SendContext = { dialect, requestId: newRequestId(dialect), fault: undefined };
    const picked = pickFault(headers, faults);
    if ('reply' in picked) return sendReply(res, picked.reply, ctx);
    const fault = (ctx.fault = picked.fault);
    if (fault?.delayMs !== undefined && !(await waitUnlessClosed(res, fault.delayMs))) return;
    if (fault?.reset === true) {
      req.socket.destroy();
      return;
    }
    const admission = { method, path, pathname, query, headers, rawBody, body };
    return sendReply(res, answer(admission, route, fault), ctx);
  }

  /** The reply once connection-level faults are done: a status fault, a 4xx, or the endpoint's. */
  function answer(
    r: Admission,
    route: MockRoute | undefined,
    fault: MockFault | undefined,
  ): MockReply {
    if (fault?.status !== undefined) {
      const dialect = route?.dialect ?? 'openai';
      return {
        kind: 'error',
        error: faultError({ ...fault, status: fault.status }, r, dialect),
      };
    }
    if (route === undefined) {
      const message = `Invalid URL (${r.method} ${r.pathname})`;
      return { kind: 'error', error: { status: 404, message, code: null } };
    }
    const admitted = admit(route, r, creds);
    if ('reply' in admitted) return admitted.reply;
    const hostile = fault?.hostile;
    const key = hostile === undefined ? '' : anyPresentedKey(r.headers, route.dialect, r.query);
    if (hostile === 'error_body') return { kind: 'error', error: hostileError(key) };
    const text = hostile === undefined ? undefined : hostileText(hostile, key);
    const reply = route.endpoint({
      body: admitted.body,
      pathParam: route.pathParam,
      isStreamPath: route.isStreamPath,
      query: r.query,
      replyOverride: text?.reply ?? fault?.reply,
      chunkSize: text?.chunkSize ?? fault?.chunkSize ?? DEFAULT_CHUNK_SIZE,
      reasoning: fault?.reasoning,
      replyAs: fault?.replyAs,
    });
    return hostile === undefined ? reply : hostileReply(reply, hostile, key, route.dialect);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // A bug in the mock: answer like a provider's 500 if we still can, else drop the socket.
      if (res.headersSent) return void res.destroy();
      const ctx: SendContext = {
        dialect: 'openai',
        requestId: newRequestId('openai'),
        fault: undefined,
      };
      const error = { status: 500, message: 'The mock provider failed unexpectedly.' };
      void sendReply(res, { kind: 'error', error }, ctx);
    });
  });

  return {
    received,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const { port: bound } = server.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
    enqueueFault(...more) {
      for (const fault of more) {
        const parsed = parseFault(fault);
        if (!parsed.ok) throw new TypeError(`invalid mock fault: ${parsed.problem}`);
        faults.push(parsed.fault);
      }
    },
    reset() {
      faults.length = 0;
      received.length = 0;
    },
  };
}
