import type { AuditRecord } from '../../store/types.js';
import type { EndUser, RequestContext } from '../context.js';

const ENDPOINT_PATHS = {
  chat_completions: '/v1/chat/completions',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
  messages: '/v1/messages',
  models: '/v1/models',
} as const;

/** Metadata only: never prompt or completion text, never a key. */
export function buildAuditRecord(ctx: RequestContext): AuditRecord {
  const key = ctx.caller?.key;
  const target = ctx.target;
  return {
    requestId: ctx.reqId,
    timeMs: ctx.startedAtMs,
    keyId: key?.id ?? null,
    keyPrefix: key?.prefix ?? null,
    env: ctx.caller?.env ?? null,
    endpoint: ENDPOINT_PATHS[ctx.route.id],
    model: target?.model ?? null,
    // The provider and key that served it (a fallback may differ from the routed one).
    provider: ctx.upstreamKey?.providerId ?? target?.provider.id ?? null,
    upstreamKeyLabel: ctx.upstreamKey?.label ?? null,
    status: ctx.outcome.status,
    errorCode: ctx.outcome.errorCode,
    promptTokens: ctx.usage?.promptTokens ?? null,
    completionTokens: ctx.usage?.completionTokens ?? null,
    latencyMs: round(ctx.clock.monotonicMs() - ctx.startedMono),
    upstreamLatencyMs: ctx.upstreamLatencyMs === undefined ? null : round(ctx.upstreamLatencyMs),
    clientIp: ctx.clientIp,
    isStream: ctx.isStream,
    decisions: ctx.decisions,
    costMicroUsd: ctx.costMicroUsd ?? null,
    userId: auditedUser(ctx.policy?.user ?? ctx.caller?.user),
    team: ctx.policy?.team ?? null,
  };
}

function auditedUser(user: EndUser | undefined): string | null {
  if (user === undefined) return null;
  return user.auditId === undefined ? user.id : user.auditId;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
