import type { SecretSeverity } from '../detect/secrets/index.js';

/** One reported secret. Never holds the secret: a masked preview and a fingerprint only. */
export interface ScanFinding {
  readonly ruleId: string;
  /** Path relative to the working directory (or repository root for git sources), `/`-separated. */
  readonly file: string;
  /** 1-based line and column (UTF-16 code units) where the secret starts. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly fingerprint: string;
  readonly preview: string;
  /** Git history: the commit that first added the secret to this file, and its author date. */
  readonly commit?: string;
  readonly authorDate?: string;
  /** JSON-lines logs: where in the record the secret sits, e.g. `$.request.headers.auth`. */
  readonly jsonPath?: string;
}

/** A finding as a source reports it, before allow-lists and the baseline are applied. */
export interface RawFinding extends ScanFinding {
  /** The line carried a `bastion:allow` comment. */
  readonly inlineAllowed: boolean;
}

export interface ScanStats {
  filesScanned: number;
  bytesScanned: number;
  commitsScanned: number;
  skippedBinary: number;
  skippedTooLarge: number;
  skippedUnreadable: number;
  skippedAllowedPath: number;
  suppressedInline: number;
  suppressedAllowList: number;
  suppressedBaseline: number;
}

export function emptyStats(): ScanStats {
  return {
    filesScanned: 0,
    bytesScanned: 0,
    commitsScanned: 0,
    skippedBinary: 0,
    skippedTooLarge: 0,
    skippedUnreadable: 0,
    skippedAllowedPath: 0,
    suppressedInline: 0,
    suppressedAllowList: 0,
    suppressedBaseline: 0,
  };
}

/** What reporters need to know about a rule. */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly severity: SecretSeverity;
}

export interface ScanResult {
  /** Folder the finding paths are relative to. */
  readonly rootDir: string;
  readonly findings: readonly ScanFinding[];
  readonly stats: ScanStats;
  readonly rules: readonly RuleInfo[];
  readonly durationMs: number;
}
