import { messages } from './anthropic.js';
import { azureChatCompletions, azureEmbeddings } from './azure.js';
import { converse } from './bedrock.js';
import type { MockDialect } from './errors.js';
import { generateContent } from './gemini.js';
import { chatCompletions } from './openai-chat.js';
import { embeddings } from './openai-embeddings.js';
import { responses } from './openai-responses.js';
import { anthropicModels, openaiModels } from './models.js';
import type { MockEndpoint } from './reply.js';

export { anyPresentedKey, checkAuth, echoKeyMessage } from './auth.js';

export interface MockRoute {
  dialect: MockDialect;
  endpoint: MockEndpoint;
  /** POST routes need a JSON object body. */
  hasBody: boolean;
  pathParam: string | undefined;
  /** Gemini `:streamGenerateContent`, Bedrock `converse-stream`. */
  isStreamPath: boolean;
}

type Entry = { dialect: MockDialect; endpoint: MockEndpoint };

const postRoutes = new Map<string, Entry>([
  ['/v1/chat/completions', { dialect: 'openai', endpoint: chatCompletions }],
  ['/v1/responses', { dialect: 'openai', endpoint: responses }],
  ['/v1/embeddings', { dialect: 'openai', endpoint: embeddings }],
  ['/v1/messages', { dialect: 'anthropic', endpoint: messages }],
]);

/** Routes with the model (or deployment) in the path; the second group names the action. */
const patternRoutes: readonly {
  pattern: RegExp;
  routes: Record<string, Entry & { isStream?: boolean }>;
}[] = [
  {
    // Azure OpenAI: /openai/deployments/{deployment}/chat/completions?api-version=…
    pattern: /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/,
    routes: {
      'chat/completions': { dialect: 'azure', endpoint: azureChatCompletions },
      embeddings: { dialect: 'azure', endpoint: azureEmbeddings },
    },
  },
  {
    // Gemini (AI Studio): /v1beta/models/{model}:generateContent | :streamGenerateContent
    pattern: /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/,
    routes: {
      generateContent: { dialect: 'gemini', endpoint: generateContent },
      streamGenerateContent: { dialect: 'gemini', endpoint: generateContent, isStream: true },
    },
  },
  {
    // Bedrock Runtime: /model/{modelId}/converse | /converse-stream
    pattern: /^\/model\/([^/]+)\/(converse|converse-stream)$/,
    routes: {
      converse: { dialect: 'bedrock', endpoint: converse },
      'converse-stream': { dialect: 'bedrock', endpoint: converse, isStream: true },
    },
  },
];

const MODELS_PATH = '/v1/models';

function postRoute(pathname: string): MockRoute | undefined {
  const exact = postRoutes.get(pathname);
  if (exact !== undefined) {
    return { ...exact, hasBody: true, pathParam: undefined, isStreamPath: false };
  }
  for (const { pattern, routes } of patternRoutes) {
    const m = pattern.exec(pathname);
    const entry = m === null ? undefined : routes[m[2] as string];
    if (m === null || entry === undefined) continue;
    let param: string;
    try {
      param = decodeURIComponent(m[1] as string);
    } catch {
      return undefined;
    }
    return {
      dialect: entry.dialect,
      endpoint: entry.endpoint,
      hasBody: true,
      pathParam: param,
      isStreamPath: entry.isStream === true,
    };
  }
  return undefined;
}

/**
 * Finds the endpoint for a request. `/v1/models` is shared by both providers; a request that
 * carries `anthropic-version` gets Anthropic's shape, as the Anthropic SDK always sends it.
 */
export function resolveRoute(
  method: string,
  pathname: string,
  headers: Record<string, string>,
): MockRoute | undefined {
  if (method === 'POST') return postRoute(pathname);
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
    isStreamPath: false,
  };
}
