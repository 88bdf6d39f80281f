import type { IncomingMessage } from 'node:http';

/** The caller's address; X-Forwarded-For is believed only for the configured proxy hops. */
export function clientIp(req: IncomingMessage, trustProxyHops: number): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (trustProxyHops === 0) return normalise(peer);
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const hops = [...list, peer ?? ''];
  return normalise(hops[Math.max(0, hops.length - 1 - trustProxyHops)] ?? peer);
}

function normalise(ip: string | null): string | null {
  if (ip === null || ip === '') return null;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
