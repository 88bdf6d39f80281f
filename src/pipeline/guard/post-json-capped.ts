import { request } from 'undici';
import { CappedReadError, readCapped } from '../../util/read-capped.js';

interface PostJsonOptions {
  readonly timeoutMs: number;
  /** Replies larger than this are refused while they are read, not after. */
  readonly maxReplyBytes: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * POSTs `body` as JSON and returns the parsed 200 reply. Any failure (network, status, size,
 * JSON, timeout, `signal`) rejects with an error whose message names the failure, never the
 * text sent or received: the guard's external hooks decide whether that fails open or closed.
 */
export async function postJsonCapped(
  url: string,
  body: unknown,
  opts: PostJsonOptions,
  signal: AbortSignal,
): Promise<unknown> {
  const res = await request(url, {
    method: 'POST',
    headers: { ...opts.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`hook status ${res.statusCode}`);
  }
  let bytes: Buffer;
  try {
    bytes = await readCapped(res.body, { limitBytes: opts.maxReplyBytes });
  } catch (err) {
    if (err instanceof CappedReadError && err.reason === 'too_large') {
      throw new Error('hook reply too large');
    }
    throw err;
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new Error('hook reply is not JSON');
  }
}
