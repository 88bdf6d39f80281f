import type { ScanResult } from './types.js';

export const JSON_REPORT_VERSION = 1;

/** For machines: findings (masked previews, fingerprints) and the scan statistics. */
export function renderJson(result: ScanResult): string {
  const severity = new Map(result.rules.map((r) => [r.id, r.severity]));
  const report = {
    version: JSON_REPORT_VERSION,
    tool: 'bastion-scan',
    findings: result.findings.map((f) => ({ ...f, severity: severity.get(f.ruleId) ?? 'medium' })),
    stats: { ...result.stats, durationMs: Math.round(result.durationMs) },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
