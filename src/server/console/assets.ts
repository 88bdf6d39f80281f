import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * The console's hand-written HTML, CSS and JavaScript, read once at start from `static/` beside
 * this module (`npm run build` copies it to dist/). Served from memory; nothing is fetched
 * at run time and no file outside this folder can be named.
 */
export function loadConsoleAssets(
  dir: URL = new URL('./static/', import.meta.url),
): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.split('.').pop() ?? ''];
    if (type === undefined) continue;
    const body = readFileSync(new URL(name, dir));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, contentType: type, etag });
  }
  return assets;
}
