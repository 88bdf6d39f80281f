import { listFiles } from '../../scan/walk.js';
import type { ScanRequest } from '../../scan/engine.js';
import type { ScanResult } from '../../scan/types.js';

/**
 * "No secrets found in 0 files" for a folder .gitignore hides reads like a clean bill of health.
 * When nothing was scanned, count what the ignore rules left out and say how to include it.
 */
export async function ignoredHint(request: ScanRequest, result: ScanResult): Promise<string> {
  if (request.mode !== 'files' || !request.respectGitignore || result.stats.filesScanned > 0) {
    return '';
  }
  const paths = request.paths.length > 0 ? request.paths : ['.'];
  const all = await listFiles(paths, {
    cwd: request.cwd,
    env: request.env,
    respectGitignore: false,
  });
  if (all.length === 0) return '';
  const files = `${all.length} file${all.length === 1 ? '' : 's'}`;
  return `bastion scan: nothing was scanned: .gitignore (or git's excludes) hides ${files} under ${paths.join(' ')}; add --no-gitignore to scan them.\n`;
}
