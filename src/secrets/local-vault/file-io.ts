import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { secretError } from '../errors.js';

/** The vault file's text, or undefined when there is no vault yet. */
export async function readVaultText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw secretError(
      'secret_unavailable',
      path,
      'the vault file cannot be read; check its permissions',
      err,
    );
  }
}

/**
 * Replaces the vault file atomically: a new file (mode 0600) in the same directory, flushed,
 * then renamed over the old one, so a crash leaves either the old vault or the new, never half.
 */
export async function writeVaultText(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}

/** Runs `fn` holding `<vault>.lock`, so two writers never lose each other's change. */
export async function withVaultLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(lock, 'wx', 0o600);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') {
      throw secretError(
        'secret_unavailable',
        path,
        `another writer holds ${lock}; retry, or delete it if no bastion vault command is running`,
      );
    }
    throw secretError('secret_unavailable', path, 'the vault lock cannot be created', err);
  }
  try {
    return await fn();
  } finally {
    await handle.close();
    await unlink(lock).catch(() => undefined);
  }
}
