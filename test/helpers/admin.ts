import type { TestGateway } from './gateway.js';

export const ADMIN_TOKEN = 'adm-test-token-9c4e1f7a2b3d5e6f';

/** Calls the admin API of a test gateway with the admin token. */
export async function admin(
  gw: TestGateway,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gw.controlUrl ?? ''}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'x-bastion-actor': 'alice',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
