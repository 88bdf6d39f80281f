import type { ProviderTranslation } from './core/translator.js';
import type { ProviderKind } from './types.js';

/**
 * How the gateway reaches each provider kind when the caller's format is not the provider's
 * own (the upstream stage looks the target's kind up here). One line per kind; a kind with
 * no entry is reached only by callers of its own format.
 */
export const providerTranslations: ReadonlyMap<ProviderKind, ProviderTranslation> = new Map<
  ProviderKind,
  ProviderTranslation
>([]);
