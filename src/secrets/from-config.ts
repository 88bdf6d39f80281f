import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import type { SecretsConfig } from './config-schema.js';
import { createAwsSource } from './aws.js';
import { createAzureSource } from './azure.js';
import { createEnvSource } from './env.js';
import { createFileSource } from './file.js';
import { createGcpSource } from './gcp.js';
import { createHashicorpSource } from './hashicorp.js';
import {
  createLocalVaultSource,
  createRefKekProvider,
  type KekProvider,
} from './local-vault/source.js';
import { createSecretResolver, type SourceKit } from './resolver.js';
import type { AnySecretSource, SecretResolver, SecretRetrieval } from './types.js';

export interface ConfiguredResolverDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock?: Clock;
  onRetrieval?: (retrieval: SecretRetrieval) => void;
  /** A KMS hook for the local vault; by default the KEK comes from `secrets.vault.kek`. */
  vaultKek?: KekProvider;
}

/** The resolver with every source the `secrets` config section enables. */
export function createConfiguredResolver(
  cfg: SecretsConfig,
  deps: ConfiguredResolverDeps,
): SecretResolver {
  return createSecretResolver(
    {
      sources: (kit) => buildSources(cfg, deps, kit),
      log: deps.log,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.onRetrieval ? { onRetrieval: deps.onRetrieval } : {}),
    },
    { cacheTtlMs: cfg.cacheTtlSec * 1000 },
  );
}

function buildSources(
  cfg: SecretsConfig,
  deps: ConfiguredResolverDeps,
  kit: SourceKit,
): AnySecretSource[] {
  const sources: AnySecretSource[] = [createEnvSource({ env: deps.env }), createFileSource()];
  const kek =
    deps.vaultKek ??
    createRefKekProvider(kit.readCredential, { kekRef: cfg.vault.kek, vaultPath: cfg.vault.path });
  sources.push(
    createLocalVaultSource(
      { kek, ...(deps.clock ? { clock: deps.clock } : {}) },
      { path: cfg.vault.path },
    ),
  );
  const timeoutMs = cfg.timeoutMs;
  const clock = deps.clock ? { clock: deps.clock } : {};
  if (cfg.hashicorp)
    sources.push(createHashicorpSource({ kit, ...clock }, { ...cfg.hashicorp, timeoutMs }));
  if (cfg.aws) sources.push(createAwsSource({ kit, ...clock }, { ...cfg.aws, timeoutMs }));
  if (cfg.azure) sources.push(createAzureSource({ kit, ...clock }, { ...cfg.azure, timeoutMs }));
  if (cfg.gcp) sources.push(createGcpSource({ kit, ...clock }, { ...cfg.gcp, timeoutMs }));
  return sources;
}
