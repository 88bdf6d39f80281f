import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { isGlob } from '../policy/glob.js';
import { providerTranslations } from '../providers/translators.js';
import { dialectOf } from '../providers/types.js';
import { envOverlay } from './env.js';
import { configSchema, type Config } from './schema.js';
import { closest, keysAt } from './schema-path.js';

/** Everything wrong with a configuration, reported at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadOptions {
  /** YAML file; missing means built-in defaults only. */
  file?: string;
  env: NodeJS.ProcessEnv;
  /** Highest precedence, already shaped like the config (from CLI flags). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  /** No provider configured and no provider key in the environment: serve the built-in mock. */
  isMockMode: boolean;
}

export const DEFAULT_MODELS = {
  openai: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'text-embedding-3-small'],
  anthropic: ['claude-haiku-4-5', 'claude-sonnet-4-5'],
  // Deployments are named by their owner: list them under `models`.
  'azure-openai': [],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro'],
  bedrock: [],
} as const;

/** Precedence: defaults < YAML file < BASTION_* env (`__` between levels) < CLI flags. */
export function loadConfig(opts: LoadOptions): LoadedConfig {
  const fromFile = opts.file === undefined ? {} : readYaml(opts.file);
  const fromEnv = envOverlay(opts.env, configSchema);
  const merged = deepMerge(deepMerge(fromFile, fromEnv.values), opts.overrides ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success || fromEnv.problems.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues;
    throw new ConfigError([
      ...fromEnv.problems,
      ...issues.map((issue) => withOrigin(formatIssue(issue), issue.path, fromEnv.origins)),
    ]);
  }
  const withDefaults = applyProviderDefaults(parsed.data, opts.env);
  const problems = crossCheck(withDefaults.config);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: deepFreeze(withDefaults.config), isMockMode: withDefaults.isMockMode };
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`${file}: cannot be read; check the path given with --config`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where = err instanceof Error ? err.message.split('\n')[0] : 'unknown position';
    throw new ConfigError([`${file}: not valid YAML (${where}); fix the syntax`]);
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  return doc;
}

function applyProviderDefaults(config: Config, env: NodeJS.ProcessEnv): LoadedConfig {
  const providers = { ...config.providers };
  let isMockMode = false;
  if (Object.keys(providers).length === 0) {
    if (nonEmpty(env.OPENAI_API_KEY)) {
      providers.openai = {
        kind: 'openai',
        baseUrl: 'https://api.openai.com',
        apiKey: 'env:OPENAI_API_KEY',
        headers: {},
        passthrough: false,
      };
    }
    if (nonEmpty(env.ANTHROPIC_API_KEY)) {
      providers.anthropic = {
        kind: 'anthropic',
        baseUrl: 'https://api.anthropic.com',
        apiKey: 'env:ANTHROPIC_API_KEY',
        headers: {},
        passthrough: false,
      };
    }
    if (Object.keys(providers).length === 0) {
      isMockMode = true;
      // Placeholders: the mock provider's address and keys are filled in when it starts.
      providers.openai = {
        kind: 'openai',
        baseUrl: 'http://127.0.0.1:1',
        apiKey: 'env:BASTION_MOCK_OPENAI_KEY',
        keyLabel: 'mock-openai',
        headers: {},
        passthrough: false,
      };
      providers.anthropic = {
        kind: 'anthropic',
        baseUrl: 'http://127.0.0.1:1',
        apiKey: 'env:BASTION_MOCK_ANTHROPIC_KEY',
        keyLabel: 'mock-anthropic',
        headers: {},
        passthrough: false,
      };
    }
  }
  const models = { ...config.models };
  if (Object.keys(models).length === 0) {
    for (const [id, provider] of Object.entries(providers)) {
      for (const name of DEFAULT_MODELS[provider.kind]) {
        models[name] ??= { provider: id, fallbacks: [] };
      }
    }
  }
  return { config: { ...config, providers, models }, isMockMode };
}

function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  problems.push(...routingProblems(config));
  for (const [name, model] of Object.entries(config.models)) {
    if (!Object.hasOwn(config.providers, model.provider)) {
      problems.push(
        `models.${name}.provider: no provider "${model.provider}"; add it under providers or fix the id`,
      );
    }
    // A fallback of another provider kind gets the request translated, so that kind needs a
    // translation (providers/translators.ts).
    for (const fallback of model.fallbacks) {
      const target = config.models[fallback];
      const kindOf = (id: string) => config.providers[id]?.kind;
      if (target === undefined || fallback === name || isGlob(fallback)) {
        problems.push(`models.${name}.fallbacks: "${fallback}" is not another model; fix the name`);
        continue;
      }
      const kind = kindOf(target.provider);
      if (
        kind !== undefined &&
        kind !== kindOf(model.provider) &&
        !providerTranslations.has(kind)
      ) {
        problems.push(
          `models.${name}.fallbacks: "${fallback}" is served by a ${kind} provider, which requests cannot be translated to; pick a model of a ${kindOf(model.provider) ?? 'known'} provider`,
        );
      }
    }
  }
  if (
    config.controlPlane.enabled &&
    config.controlPlane.port !== 0 &&
    config.controlPlane.port === config.server.port
  ) {
    problems.push('controlPlane.port: same as server.port; pick another port');
  }
  return problems;
}

/** Pattern entries send the caller's name, and each dialect has one place for unknown names. */
function routingProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const [name, model] of Object.entries(config.models)) {
    if (isGlob(name) && model.upstreamModel !== undefined) {
      problems.push(
        `models.${name}.upstreamModel: a pattern sends the name the caller wrote; remove upstreamModel or list the model by name`,
      );
    }
  }
  const byKind = new Map<string, string[]>();
  for (const [id, p] of Object.entries(config.providers)) {
    const dialect = dialectOf(p.kind);
    if (p.passthrough) byKind.set(dialect, [...(byKind.get(dialect) ?? []), id]);
  }
  for (const [kind, ids] of byKind) {
    if (ids.length > 1) {
      problems.push(
        `providers.${ids[1] ?? ''}.passthrough: ${ids.join(' and ')} both pass through ${kind} models; keep one, or route names with patterns in models (e.g. "llama-*")`,
      );
    }
  }
  return problems;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(configSchema, issue.path);
    const named = issue.keys.map((key) => {
      const guess = closest(key, known);
      return guess === undefined ? key : `${key} (did you mean ${guess}?)`;
    });
    return `${path === '(top level)' ? '' : `${path}: `}unknown key(s) ${named.join(', ')}; remove or fix the spelling`;
  }
  if (issue.message.startsWith('inline secrets are refused')) {
    return `${path}: ${issue.message.replace('inline secrets are refused; ', 'inline secrets are refused; fix: ')}`;
  }
  return `${path}: ${issue.message}; fix the value (see schema/bastion.schema.json)`;
}

/** A bad value set from the environment names its variable, which the dotted path does not. */
function withOrigin(
  problem: string,
  path: readonly PropertyKey[],
  origins: ReadonlyMap<string, string>,
): string {
  for (let n = path.length; n > 0; n--) {
    const name = origins.get(path.slice(0, n).map(String).join('.'));
    if (name !== undefined) return `${problem} (set by ${name})`;
  }
  return problem;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
