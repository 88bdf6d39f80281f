import type { RouteSpec } from '../pipeline/context.js';

export interface RouteEntry extends RouteSpec {
  readonly method: 'GET' | 'POST';
  readonly pipeline: 'proxy' | 'models';
}

/** The data plane's fixed routes: a table, not a framework. */
export const ROUTES: ReadonlyMap<string, RouteEntry> = new Map<string, RouteEntry>([
  [
    '/v1/chat/completions',
    { id: 'chat_completions', dialect: 'openai', method: 'POST', pipeline: 'proxy' },
  ],
  ['/v1/responses', { id: 'responses', dialect: 'openai', method: 'POST', pipeline: 'proxy' }],
  ['/v1/embeddings', { id: 'embeddings', dialect: 'openai', method: 'POST', pipeline: 'proxy' }],
  ['/v1/models', { id: 'models', dialect: 'openai', method: 'GET', pipeline: 'models' }],
  ['/v1/messages', { id: 'messages', dialect: 'anthropic', method: 'POST', pipeline: 'proxy' }],
]);
