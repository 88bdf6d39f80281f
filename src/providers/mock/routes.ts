import { messages } from './anthropic.js';
import type { MockDialect, MockError } from './errors.js';
import { chatCompletions } from './openai-chat.js';
import { embeddings } from './openai-embeddings.js';
import { responses } from './openai-responses.js';
import { anthropicModels, openaiModels } from './models.js';
import type { MockEndpoint } from './reply.js';

export interface MockRoute {
  dialect: MockDialect;
  endpoint: MockEndpoint;
  /** POST routes need a JSON object body. */
  hasBody: boolean;
  pathParam: string | undefined;
}

const postRoutes = new Map<string, { dialect: MockDialect; endpoint: MockEndpoint }>([
  ['/v1/chat/completions', { dialect: 'openai', endpoint: chatCompletions }],
  ['/v1/responses', { dialect: 'openai', endpoint: responses }],
  ['/v1/embeddings', { dialect: 'openai', endpoint: embeddings }],
  ['/v1/messages', { dialect: 'anthropic', endpoint: messages }],
]);

const MODELS_PATH = '/v1/models';

/**
 * Finds the endpoint for a request. `/v1/models` is shared by both providers; a request that
 * carries `anthropic-version` gets Anthropic's shape, as the Anthropic SDK always sends it.
 */
export function resolveRoute(
  method: string,
  pathname: string,
  headers: Record<string, string>,
): MockRoute | undefined {
  if (method === 'POST') {
    const route = postRoutes.get(pathname);
    return route && { ...route, hasBody: true, pathParam: undefined };
  }
  if (method !== 'GET') return undefined;
  let pathParam: string | undefined;
  if (pathname !== MODELS_PATH) {
    if (!pathname.startsWith(`${MODELS_PATH}/`)) return undefined;
    pathParam = decodeURIComponent(pathname.slice(MODELS_PATH.length + 1));
    if (pathParam.length === 0 || pathParam.includes('/')) return undefined;
  }
  const isAnthropic = headers['anthropic-version'] !== undefined;
  return {
    dialect: isAnthropic ? 'anthropic' : 'openai',
    endpoint: isAnthropic ? anthropicModels : openaiModels,
    hasBody: false,
    pathParam,
  };
}

/** The API key a request carried, in the header its dialect uses. */
export function presentedKey(
  headers: Record<string, string>,
  dialect: MockDialect,
): string | undefined {
  if (dialect === 'anthropic') return headers['x-api-key'] || undefined;
  const match = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '');
  return match?.[1]?.trim() || undefined;
}

/** Any key a request carried, for `echoKey` (which may be set on any path). */
export function anyPresentedKey(headers: Record<string, string>, dialect: MockDialect): string {
  const other: MockDialect = dialect === 'anthropic' ? 'openai' : 'anthropic';
  return presentedKey(headers, dialect) ?? presentedKey(headers, other) ?? '';
}

/** How real providers mask a key they echo: a few characters at each end. */
function maskKey(key: string): string {
  return key.length <= 12 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

/** The 401 a provider sends for a missing or (with `apiKeys` set) unknown key. */
export function checkAuth(
  headers: Record<string, string>,
  dialect: MockDialect,
  apiKeys: ReadonlySet<string> | undefined,
): MockError | undefined {
  const key = presentedKey(headers, dialect);
  if (key === undefined) {
    const message =
      dialect === 'anthropic'
        ? 'x-api-key header is required'
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    return { status: 401, message, code: null };
  }
  if (apiKeys === undefined || apiKeys.has(key)) return undefined;
  const message =
    dialect === 'anthropic' ? 'invalid x-api-key' : `Incorrect API key provided: ${maskKey(key)}.`;
  return { status: 401, message };
}

/** The message an `echoKey` fault sends: the whole key, so the gateway's scrubber must act. */
export function echoKeyMessage(
  key: string,
  dialect: MockDialect,
  base: string | undefined,
): string {
  if (base !== undefined) return `${base} (API key: ${key})`;
  return dialect === 'anthropic'
    ? `invalid x-api-key: ${key}`
    : `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`;
}
