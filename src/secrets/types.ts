import type { ErrorCode } from '../errors/codes.js';
import type { Secret } from '../log/secret.js';

/** Canonical scheme names; `hashicorp:` is an alias of `hcv:`. */
export type SecretScheme = 'env' | 'file' | 'vault' | 'hcv' | 'aws' | 'azure' | 'gcp';

/** A parsed reference. `raw` is what the operator wrote; it names the secret, never holds it. */
export type SecretRef =
  | { readonly scheme: 'env'; readonly raw: string; readonly name: string }
  | { readonly scheme: 'file'; readonly raw: string; readonly path: string }
  | { readonly scheme: 'vault'; readonly raw: string; readonly name: string }
  | {
      readonly scheme: 'hcv';
      readonly raw: string;
      readonly mount: string;
      readonly path: string;
      readonly field: string | undefined;
    }
  | {
      readonly scheme: 'aws';
      readonly raw: string;
      readonly secretId: string;
      readonly field: string | undefined;
    }
  | {
      readonly scheme: 'azure';
      readonly raw: string;
      readonly vault: string;
      readonly name: string;
      readonly version: string | undefined;
    }
  | { readonly scheme: 'gcp'; readonly raw: string; readonly name: string };

export type RefOf<S extends SecretScheme> = Extract<SecretRef, { scheme: S }>;

/** Who asks for a secret; it appears in the retrieval audit. */
export interface ResolveContext {
  /** e.g. `provider:openai`, `store:postgres`, `secrets:hashicorp`. */
  readonly component: string;
}

/** What a source returns: the value and, where the source has one, its version id. */
export interface SourceValue {
  readonly secret: Secret;
  /** Not secret: a version number or id, so the audit shows which version was read. */
  readonly version?: string | undefined;
}

/**
 * One kind of secret source. Sources fetch; the resolver caches, audits and registers values
 * with the scrubber, so a source never logs and never keeps a value beyond its own tokens.
 */
export interface SecretSource<S extends SecretScheme = SecretScheme> {
  readonly scheme: S;
  resolve(ref: RefOf<S>, ctx: ResolveContext): Promise<SourceValue>;
  /** Forget cached credentials (access tokens), so the next call logs in again. */
  reset?(): void;
  close?(): Promise<void>;
}

/** Any one source, whatever its scheme (what a resolver holds). */
export type AnySecretSource = { [S in SecretScheme]: SecretSource<S> }[SecretScheme];

/** Reads a manager's own credential (an `env:` or `file:` reference), uncached and audited. */
export type CredentialReader = (ref: string, component: string) => Promise<Secret>;

export type RetrievalTrigger = 'start' | 'ttl' | 'reload' | 'credential';

/** One fetch from a source: what, when, for whom, how it went. Never the value. */
export interface SecretRetrieval {
  readonly ref: string;
  readonly scheme: SecretScheme;
  readonly components: readonly string[];
  readonly trigger: RetrievalTrigger;
  readonly atMs: number;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error';
  readonly version?: string | undefined;
  /** Whether the value differs from the one held before (reload and TTL refreshes). */
  readonly isChanged?: boolean;
  readonly code?: ErrorCode;
}

/** A live view of one secret: always the latest value the resolver holds. */
export interface SecretHandle {
  readonly ref: string;
  /** Synchronous; starts a background refresh when the TTL has passed (the old value serves meanwhile). */
  current(): Secret;
}

/** How one held reference fared on reload: names and codes only, never the value. */
export interface ReloadOutcome {
  readonly ref: string;
  readonly scheme: SecretScheme;
  readonly outcome: 'ok' | 'error';
  /** On `ok`: whether the value differs from the one held before. */
  readonly isChanged?: boolean;
  /** On `error`: the previous value keeps serving. */
  readonly code?: ErrorCode;
}

export interface ReloadReport {
  readonly refreshed: number;
  readonly changed: readonly string[];
  readonly failed: readonly { ref: string; code: ErrorCode }[];
  /** Every held reference, in the order they were first resolved. */
  readonly outcomes: readonly ReloadOutcome[];
}

export interface SecretResolver {
  /** Resolves (cached) and waits for a refresh when the TTL has passed. */
  resolve(ref: string, ctx: ResolveContext): Promise<Secret>;
  /** Resolves once, then gives a handle whose `current()` follows reloads and TTL refreshes. */
  handle(ref: string, ctx: ResolveContext): Promise<SecretHandle>;
  /** Fetches every held secret again (SIGHUP, admin call). A failure keeps the previous value. */
  reload(): Promise<ReloadReport>;
  /** Refreshes every value past its TTL now (a timer calls this; tests call it with a fake clock). */
  refreshDue(): Promise<void>;
  /** Called with each ref whose value changed on reload or refresh; returns an unsubscribe. */
  onChange(listener: (ref: string) => void): () => void;
  close(): Promise<void>;
}
