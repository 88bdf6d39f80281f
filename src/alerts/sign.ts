import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `x-bastion-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `<t>.<body>`. The timestamp inside the signed text lets receivers refuse replays.
 */
export function signPayload(secret: string, body: string, unixSec: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSec}.${body}`).digest('hex');
  return `t=${unixSec},v1=${mac}`;
}

/** For receivers (and tests): checks the signature and that it is at most `toleranceSec` old. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSec: number,
  toleranceSec = 300,
): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
