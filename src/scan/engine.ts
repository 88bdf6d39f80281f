import { resolve } from 'node:path';
import { createSecretDetector, type SecretDetector } from '../detect/secrets/index.js';
import type { Clock } from '../util/clock.js';
import { createPathFilter, type AllowList } from './allow.js';
import type { Progress } from './progress.js';
import { scanFileSources } from './scan-files.js';
import { scanGitHistory, scanStagedChanges } from './scan-git.js';
import type { SourceContext } from './source.js';
import {
  emptyStats,
  type RawFinding,
  type RuleInfo,
  type ScanFinding,
  type ScanResult,
  type ScanStats,
} from './types.js';

export type ScanMode = 'files' | 'logs' | 'staged' | 'history';

export interface ScanRequest {
  readonly mode: ScanMode;
  /** Files and folders (files, logs); the repository folder (staged, history). */
  readonly paths: readonly string[];
  /** History only: a revision range such as `main..HEAD`. */
  readonly range?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly allow: AllowList;
  /** Fingerprints acknowledged by a baseline file. */
  readonly baseline?: ReadonlySet<string>;
  readonly maxFileBytes: number;
  readonly respectGitignore: boolean;
}

export interface ScanDeps {
  readonly progress: Progress;
  readonly clock: Clock;
  /** Defaults to the built-in rules minus `allow.rules`. */
  readonly detector?: SecretDetector;
}

function ruleInfos(detector: SecretDetector): RuleInfo[] {
  return detector.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity }));
}

/** Inline markers, then the allow-list, then the baseline; counts what each one hid. */
function applySuppressions(
  raw: readonly RawFinding[],
  req: ScanRequest,
  stats: ScanStats,
): ScanFinding[] {
  const rules = new Set(req.allow.rules);
  const fingerprints = new Set(req.allow.fingerprints);
  const kept: ScanFinding[] = [];
  for (const { inlineAllowed, ...finding } of raw) {
    if (inlineAllowed) stats.suppressedInline++;
    else if (rules.has(finding.ruleId) || fingerprints.has(finding.fingerprint))
      stats.suppressedAllowList++;
    else if (req.baseline?.has(finding.fingerprint) === true) stats.suppressedBaseline++;
    else kept.push(finding);
  }
  return kept.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/** Runs one scan and returns its findings (sorted, suppressions applied) and statistics. */
export async function runScan(req: ScanRequest, deps: ScanDeps): Promise<ScanResult> {
  const startedMs = deps.clock.monotonicMs();
  const detector = deps.detector ?? createSecretDetector({ disabledRules: req.allow.rules });
  const stats = emptyStats();
  const raw: RawFinding[] = [];
  const repoCwd = req.paths[0] ?? '.';
  const ctx: SourceContext = {
    detector,
    cwd: req.mode === 'staged' || req.mode === 'history' ? resolve(req.cwd, repoCwd) : req.cwd,
    env: req.env,
    isPathAllowed: createPathFilter(req.allow.paths),
    progress: deps.progress,
    stats,
    emit: (f) => raw.push(f),
  };
  if (req.mode === 'staged') await scanStagedChanges(ctx);
  else if (req.mode === 'history') await scanGitHistory(ctx, req.range);
  else {
    await scanFileSources(ctx, {
      paths: req.paths.length > 0 ? req.paths : ['.'],
      respectGitignore: req.respectGitignore,
      maxFileBytes: req.maxFileBytes,
      logs: req.mode === 'logs',
    });
  }
  return {
    rootDir: ctx.cwd,
    findings: applySuppressions(raw, req, stats),
    stats,
    rules: ruleInfos(detector),
    durationMs: deps.clock.monotonicMs() - startedMs,
  };
}
