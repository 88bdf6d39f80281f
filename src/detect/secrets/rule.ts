export type SecretSeverity = 'high' | 'medium' | 'low';

/** What a validator sees for one candidate: the secret and where it sits in the text. */
export interface RuleMatch {
  /** The candidate secret (the rule's `secret` group, or the whole match). */
  readonly secret: string;
  readonly text: string;
  /** Offset of the whole match in `text`. */
  readonly matchStart: number;
  /** Offsets of the secret in `text`. */
  readonly start: number;
  readonly end: number;
  /** Named groups of the match, e.g. `user` in database URLs. */
  readonly groups: Readonly<Record<string, string | undefined>>;
}

/**
 * A second secret expected near the first, e.g. the AWS secret access key beside its key id.
 * Searched only within `windowChars` of a finding of the owning rule.
 */
export interface CompanionRule {
  readonly ruleId: string;
  readonly pattern: RegExp;
  readonly windowChars: number;
  readonly minEntropy: number;
  readonly validate?: (m: RuleMatch) => boolean;
}

/** One credential format. Rules are data: a detector compiles nothing per call. */
export interface SecretRule {
  /** Stable kebab-case id; appears in reports, allow-lists and fingerprints. */
  readonly id: string;
  readonly title: string;
  readonly severity: SecretSeverity;
  /**
   * Lower-case literals, at least one of which every match contains (case-insensitively).
   * The pattern runs only on text that contains one of them.
   */
  readonly keywords: readonly string[];
  /**
   * Global (`g`) pattern with match indices (`d`), bounded quantifiers only (checked when
   * a detector is built). A named group `secret` marks the secret; otherwise the whole match.
   */
  readonly pattern: RegExp;
  /** Minimum Shannon entropy (bits per character) of the normalised secret. */
  readonly minEntropy?: number;
  /** Extra checks on a candidate; false drops it. */
  readonly validate?: (m: RuleMatch) => boolean;
  /** Canonical form for entropy and fingerprint, e.g. a PEM body without line breaks. */
  readonly normalize?: (secret: string) => string;
  readonly companion?: CompanionRule;
}
