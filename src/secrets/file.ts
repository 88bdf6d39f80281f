import { open } from 'node:fs/promises';
import { Secret } from '../log/secret.js';
import { secretError } from './errors.js';
import type { SecretSource } from './types.js';

/** Larger than any credential; stops a reference to a device or a log file from filling memory. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * `file:/path`: a mounted secret (Docker `/run/secrets/*`, a Kubernetes secret volume). Read on
 * every fetch, so a rotated mount is picked up on reload. Trailing CR/LF is trimmed: `echo` and
 * `kubectl create secret --from-file` leave one.
 */
export function createFileSource(): SecretSource<'file'> {
  return {
    scheme: 'file',
    async resolve(ref) {
      let text: string;
      try {
        text = await readCapped(ref.path);
      } catch (cause) {
        const code = (cause as { code?: unknown }).code;
        if (code === 'ENOENT')
          throw secretError('secret_not_found', ref.raw, 'the file does not exist', cause);
        if (code === 'TOO_LARGE')
          throw secretError(
            'secret_unavailable',
            ref.raw,
            `the file is larger than ${MAX_FILE_BYTES} bytes`,
          );
        throw secretError(
          'secret_unavailable',
          ref.raw,
          'the file cannot be read; check its permissions',
          cause,
        );
      }
      const value = trimTrailingNewlines(text);
      if (value.trim() === '') throw secretError('secret_not_found', ref.raw, 'the file is empty');
      return { secret: new Secret(value) };
    },
  };
}

async function readCapped(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_FILE_BYTES)
        throw Object.assign(new Error('secret file too large'), { code: 'TOO_LARGE' });
    }
    return buf.subarray(0, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Loop, not a regex: `[\r\n]+$` backtracks quadratically on long runs of newlines. */
export function trimTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end -= 1;
  return text.slice(0, end);
}
