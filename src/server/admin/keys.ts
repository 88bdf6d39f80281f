import { z } from 'zod';
import { issueVirtualKey } from '../../pipeline/auth/virtual-key.js';
import { isValidIpRange } from '../../policy/cidr.js';
import { keyScopesSchema } from '../../store/key-scopes.js';
import { ENVIRONMENTS, type Store, type VirtualKeyRecord } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { adminError, type AdminResponse, type AdminRoute } from './router.js';

export interface KeyRoutesDeps {
  store: Pick<
    Store,
    'insertKey' | 'findKey' | 'listKeys' | 'revokeKey' | 'updateKeyScopes' | 'appendAdminEvent'
  >;
  clock: Clock;
}

const scopesSchema = keyScopesSchema.refine((s) => (s.ipRanges ?? []).every(isValidIpRange), {
  message: 'ipRanges: every entry must be an IP address or CIDR range',
  path: ['ipRanges'],
});

const createSchema = z
  .object({
    name: z.string().regex(/^[\w.-]{1,64}$/),
    env: z.enum(ENVIRONMENTS),
    expiresAtMs: z.number().int().positive().nullable().optional(),
    scopes: scopesSchema.optional(),
  })
  .strict();

/** What the admin API shows of a key: never the hash. */
export function publicKey(k: VirtualKeyRecord): Omit<VirtualKeyRecord, 'hash'> {
  return {
    id: k.id,
    name: k.name,
    env: k.env,
    prefix: k.prefix,
    createdAtMs: k.createdAtMs,
    expiresAtMs: k.expiresAtMs,
    revokedAtMs: k.revokedAtMs,
    scopes: k.scopes,
  };
}

function invalid(error: z.ZodError): AdminResponse {
  const issue = error.issues[0];
  const where = issue?.path.join('.') ?? '';
  return adminError(
    'invalid_request',
    `${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`,
  );
}

/** `/admin/keys`: issue (secret shown once), list, show, change scopes, revoke. Every change is an operator event. */
export function keyRoutes(deps: KeyRoutesDeps): AdminRoute[] {
  const event = (actor: string, action: string, target: string, detail: string | null) =>
    deps.store.appendAdminEvent({ timeMs: deps.clock.now(), actor, action, target, detail });
  return [
    {
      method: 'GET',
      path: '/admin/keys',
      async handle() {
        return { status: 200, body: { data: (await deps.store.listKeys()).map(publicKey) } };
      },
    },
    {
      method: 'POST',
      path: '/admin/keys',
      async handle(req) {
        const parsed = createSchema.safeParse(req.body);
        if (!parsed.success) return invalid(parsed.error);
        const { name, env, expiresAtMs, scopes } = parsed.data;
        const nowMs = deps.clock.now();
        if (expiresAtMs != null && expiresAtMs <= nowMs) {
          return adminError('invalid_request', 'expiresAtMs: must be in the future');
        }
        const issued = issueVirtualKey({
          name,
          env,
          nowMs,
          expiresAtMs: expiresAtMs ?? null,
          scopes: scopes ?? {},
        });
        await deps.store.insertKey(issued.record);
        await event(req.actor, 'key_created', issued.record.id, env);
        return { status: 201, body: { ...publicKey(issued.record), key: issued.secret } };
      },
    },
    {
      method: 'GET',
      path: '/admin/keys/:id',
      async handle(req) {
        const key = await deps.store.findKey(req.params.id ?? '');
        return key === undefined
          ? adminError('key_not_found', 'No key with that id or prefix.')
          : { status: 200, body: publicKey(key) };
      },
    },
    {
      method: 'PUT',
      path: '/admin/keys/:id/scopes',
      async handle(req) {
        const parsed = scopesSchema.safeParse(req.body);
        if (!parsed.success) return invalid(parsed.error);
        const key = await deps.store.findKey(req.params.id ?? '');
        if (key === undefined) return adminError('key_not_found', 'No key with that id or prefix.');
        await deps.store.updateKeyScopes(key.id, parsed.data);
        await event(req.actor, 'key_scopes_updated', key.id, null);
        return { status: 200, body: publicKey({ ...key, scopes: parsed.data }) };
      },
    },
    {
      method: 'POST',
      path: '/admin/keys/:id/revoke',
      async handle(req) {
        const key = await deps.store.findKey(req.params.id ?? '');
        if (key === undefined) return adminError('key_not_found', 'No key with that id or prefix.');
        const isRevoked = await deps.store.revokeKey(key.id, deps.clock.now());
        if (isRevoked) await event(req.actor, 'key_revoked', key.id, null);
        return { status: 200, body: { id: key.id, revoked: true, changed: isRevoked } };
      },
    },
  ];
}
