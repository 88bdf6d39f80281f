import { z } from 'zod';
import { isFailure, type KeyAdmin, type KeyAdminFailure, type KeyView } from './key-admin.js';
import { keyUsageSince } from '../../pipeline/upstream/key-usage.js';
import { refineSecretRef } from '../../secrets/config-schema.js';
import type { AuditStore } from '../../store/types.js';
import { adminError, intParam, type AdminResponse, type AdminRoute } from './router.js';

export interface ProviderRoutesDeps {
  keys: KeyAdmin;
  store: Pick<AuditStore, 'queryAudit'>;
  /** Writes queued audit rows, so a verify sees every request that finished. */
  flushAudit: () => Promise<void>;
}

/** The admin client times out after 10 s; a drain call waits less and is repeated. */
const MAX_WAIT_MS = 8_000;
const LABEL = /^[A-Za-z0-9._-]{1,64}$/;

const addSchema = z
  .object({
    label: z.string().regex(LABEL),
    apiKey: z.string().superRefine(refineSecretRef),
    weight: z.number().int().min(0).max(1000).default(1),
    createdAt: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  })
  .strict();

const updateSchema = z
  .object({
    weight: z.number().int().min(0).max(1000).optional(),
    state: z.enum(['active', 'draining', 'revoked']).optional(),
    force: z.boolean().default(false),
  })
  .strict();

const drainSchema = z
  .object({
    timeoutMs: z.number().int().min(0).max(MAX_WAIT_MS).default(MAX_WAIT_MS),
    force: z.boolean().default(false),
  })
  .strict()
  .prefault({});

function answer(result: KeyView | KeyAdminFailure, status = 200): AdminResponse {
  if (isFailure(result)) return adminError(result.failure.code, result.failure.message);
  return { status, body: result };
}

/**
 * `/admin/providers`: the upstream key pools of this gateway. List keys (state, weight, age
 * and its 60/90-day warning, in-flight calls, breaker); add a key by reference (the value is
 * resolved inside the gateway and never crosses the admin API); change weight or state; drain
 * (state `draining`, then wait until no call is in flight); and count which keys carried
 * traffic since a time, from the audit log. Each change is an operator event.
 */
export function providerRoutes(deps: ProviderRoutesDeps): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/providers',
      async handle() {
        // The fleet's latest state through any replica; when the store does not answer, this
        // replica's own (its poll logs the failure).
        await deps.keys.refresh().catch(() => undefined);
        return { status: 200, body: { data: deps.keys.list() } };
      },
    },
    {
      method: 'POST',
      path: '/admin/providers/:id/keys',
      async handle(req) {
        const parsed = addSchema.safeParse(req.body);
        if (!parsed.success) {
          return adminError(
            'invalid_request',
            'POST {"label", "apiKey": "env:NAME", "weight"?, "createdAt"?}',
          );
        }
        const { label, apiKey, weight, createdAt } = parsed.data;
        const createdAtMs = createdAt === undefined ? null : Date.parse(createdAt);
        const id = req.params.id ?? '';
        return answer(
          await deps.keys.add(id, { label, apiKey, weight, createdAtMs }, req.actor),
          201,
        );
      },
    },
    {
      method: 'PATCH',
      path: '/admin/providers/:id/keys/:label',
      async handle(req) {
        const parsed = updateSchema.safeParse(req.body);
        if (!parsed.success) {
          return adminError(
            'invalid_request',
            'PATCH {"weight"?, "state"?: "active|draining|revoked", "force"?}',
          );
        }
        const { weight, state, force } = parsed.data;
        const change = { weight, state, isForced: force };
        return answer(
          await deps.keys.update(req.params.id ?? '', req.params.label ?? '', change, req.actor),
        );
      },
    },
    {
      method: 'POST',
      path: '/admin/providers/:id/keys/:label/drain',
      async handle(req) {
        const parsed = drainSchema.safeParse(req.body);
        if (!parsed.success)
          return adminError('invalid_request', 'POST {"timeoutMs"?: <= 8000, "force"?}');
        const id = req.params.id ?? '';
        const label = req.params.label ?? '';
        const drained = await deps.keys.update(
          id,
          label,
          { state: 'draining', isForced: parsed.data.force },
          req.actor,
        );
        if (isFailure(drained) || drained.state !== 'draining') return answer(drained);
        return answer(await deps.keys.waitIdle(id, label, parsed.data.timeoutMs));
      },
    },
    {
      method: 'GET',
      path: '/admin/providers/:id/usage',
      async handle(req) {
        const sinceMs = intParam(req.query, 'sinceMs', -1);
        if (sinceMs < 0) return adminError('invalid_request', 'GET ?sinceMs=<epoch ms>');
        const id = req.params.id ?? '';
        if (!deps.keys.list().some((p) => p.id === id)) {
          return adminError('provider_not_found', `No provider "${id}".`);
        }
        await deps.flushAudit();
        return { status: 200, body: await keyUsageSince(deps.store, id, sinceMs) };
      },
    },
  ];
}
