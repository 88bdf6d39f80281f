import { extname } from 'node:path';
import { createLogScanner } from './logs.js';
import { readTextFile, type ReadOutcome } from './read-file.js';
import { rawFinding, type SourceContext } from './source.js';
import { createTextScanner } from './text-scanner.js';
import { listFiles, type WalkEntry } from './walk.js';

export interface FileSourceOptions {
  readonly paths: readonly string[];
  readonly respectGitignore: boolean;
  readonly maxFileBytes: number;
  /** Treat files as logs: JSON lines decoded per record, plain text otherwise. */
  readonly logs: boolean;
}

/** Extensions that are never text; skipped without opening the file. */
const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif webp ico bmp tif tiff psd pdf zip gz tgz bz2 xz zst 7z rar jar war ear ' +
    'class so dylib dll exe bin o a lib obj woff woff2 ttf otf eot mp3 mp4 m4a mov avi mkv webm ' +
    'wav flac ogg sqlite db wasm pyc node parquet avro'
  ).split(' '),
);

const READ_BUFFER_BYTES = 256 * 1024;

function countSkip(ctx: SourceContext, outcome: ReadOutcome): void {
  if (outcome === 'binary') ctx.stats.skippedBinary++;
  else if (outcome === 'too-large') ctx.stats.skippedTooLarge++;
  else if (outcome === 'unreadable') ctx.stats.skippedUnreadable++;
}

function scanOne(
  ctx: SourceContext,
  opts: FileSourceOptions,
  entry: WalkEntry,
  buffer: Buffer,
): void {
  if (BINARY_EXTENSIONS.has(extname(entry.abs).slice(1).toLowerCase())) {
    ctx.stats.skippedBinary++;
    return;
  }
  const scanner = opts.logs
    ? createLogScanner(ctx.detector, entry.rel, ctx.emit, (s) => rawFinding(s, entry.rel))
    : createTextScanner(ctx.detector, (s) => ctx.emit(rawFinding(s, entry.rel)));
  const result = readTextFile(entry.abs, buffer, opts.maxFileBytes, (t) => scanner.push(t));
  if (result.outcome !== 'read') {
    countSkip(ctx, result.outcome);
    return;
  }
  scanner.end();
  ctx.stats.filesScanned++;
  ctx.stats.bytesScanned += result.bytes;
}

/** Files and folders (`bastion scan PATH…`, and `--logs`), read one after the other. */
export async function scanFileSources(ctx: SourceContext, opts: FileSourceOptions): Promise<void> {
  const entries = await listFiles(opts.paths, {
    cwd: ctx.cwd,
    env: ctx.env,
    respectGitignore: opts.respectGitignore && !opts.logs,
  });
  const todo = entries.filter((e) => !ctx.isPathAllowed(e.rel));
  ctx.stats.skippedAllowedPath += entries.length - todo.length;
  ctx.progress.start(todo.length);
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  todo.forEach((entry, i) => {
    scanOne(ctx, opts, entry, buffer);
    ctx.progress.update(i + 1, ctx.stats.bytesScanned);
  });
  ctx.progress.finish();
}
