import type { Endpoint } from '../providers/types.js';

/** A data-plane route: an endpoint, or the model list. Apart so upstream types need no context. */
export type RouteId = Endpoint | 'models';
