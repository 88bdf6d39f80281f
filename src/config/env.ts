import type { z } from 'zod';
import { closest, stepInto } from './schema-path.js';

const ENV_PREFIX = 'BASTION_';

/** Config values from `BASTION_*` variables, and where each came from. */
export interface EnvOverlay {
  values: Record<string, unknown>;
  /** Variables that look like a config path (`__`) but name none, as `path: problem; fix`. */
  problems: string[];
  /** Dotted config path → the variable that set it, so a bad value names its variable. */
  origins: Map<string, string>;
}

/**
 * `BASTION_SERVER__BODY_LIMIT_BYTES=10` → `{ server: { bodyLimitBytes: 10 } }`.
 *
 * Only variables that name a config path are read. The same prefix carries values that are not
 * config (the README's `BASTION_KEY`, `BASTION_ADMIN_TOKEN`, secrets referenced as
 * `env:BASTION_METRICS_TOKEN`), so anything else is left alone, except a name with `__`, which
 * can only have been meant as a path: that one is reported rather than silently ignored.
 */
export function envOverlay(env: NodeJS.ProcessEnv, schema: z.ZodType): EnvOverlay {
  const out: EnvOverlay = { values: {}, problems: [], origins: new Map() };
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    const path = resolvePath(schema, segments);
    if (Array.isArray(path)) {
      setPath(out.values, path, coerceScalar(raw));
      out.origins.set(path.join('.'), name);
    } else if (segments.length > 1) {
      out.problems.push(unknownVariable(name, segments, path));
    }
  }
  return out;
}

/** The config path a variable names, or where it went wrong. */
function resolvePath(
  schema: z.ZodType,
  segments: readonly string[],
): string[] | { depth: number; known: readonly string[] } {
  const path: string[] = [];
  let node = schema;
  for (const [depth, segment] of segments.entries()) {
    if (segment === '') return { depth, known: [] };
    const step = stepInto(node, segment);
    if (!('child' in step)) return { depth, known: step.known };
    path.push(step.key);
    node = step.child;
  }
  return path;
}

function unknownVariable(
  name: string,
  segments: readonly string[],
  miss: { depth: number; known: readonly string[] },
): string {
  const bad = segments[miss.depth] ?? '';
  const guess = closest(bad.replace(/_/g, ''), miss.known);
  const hint =
    guess === undefined
      ? ''
      : ` did you mean ${ENV_PREFIX}${[...segments.slice(0, miss.depth), toEnvSegment(guess)].join('__')}?`;
  return `${name} (environment): names no config setting at "${bad}";${hint} unset it or fix the name (only BASTION_<SECTION>__<KEY> variables that match the config are read)`;
}

function toEnvSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isPlainObject(next) ? next : (node[key] = {});
  }
  node[path[path.length - 1] as string] = value;
}

function coerceScalar(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d{1,15}$/.test(raw)) return Number(raw);
  return raw;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
