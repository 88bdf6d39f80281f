import type { SecretDetector } from '../detect/secrets/index.js';
import type { Progress } from './progress.js';
import type { LocatedSecret } from './text-scanner.js';
import type { RawFinding, ScanStats } from './types.js';

/** What every source (files, logs, staged changes, history) is handed. */
export interface SourceContext {
  readonly detector: SecretDetector;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** True for paths (relative to `cwd`) the allow-list excludes from scanning. */
  readonly isPathAllowed: (rel: string) => boolean;
  readonly progress: Progress;
  readonly stats: ScanStats;
  readonly emit: (finding: RawFinding) => void;
}

export function rawFinding(
  s: LocatedSecret,
  file: string,
  extra: Pick<RawFinding, 'commit' | 'authorDate'> = {},
): RawFinding {
  return {
    ruleId: s.finding.ruleId,
    file,
    line: s.line,
    column: s.column,
    endLine: s.endLine,
    endColumn: s.endColumn,
    fingerprint: s.finding.fingerprint,
    preview: s.finding.preview,
    inlineAllowed: s.inlineAllowed,
    ...extra,
  };
}
