import { pathToFileURL } from 'node:url';
import type { SecretSeverity } from '../detect/secrets/index.js';
import type { ScanFinding, ScanResult } from './types.js';

const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const BASE_ID = 'SRCROOT';

const LEVEL: Record<SecretSeverity, 'error' | 'warning' | 'note'> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
};
/** GitHub code scanning ranks security alerts by this property (0–10, as a string). */
const SECURITY_SEVERITY: Record<SecretSeverity, string> = {
  high: '9.0',
  medium: '6.0',
  low: '3.0',
};

function uriOf(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function resultOf(f: ScanFinding, ruleIndex: number, level: string, title: string) {
  const properties = {
    ...(f.commit !== undefined ? { commit: f.commit, authorDate: f.authorDate } : {}),
    ...(f.jsonPath !== undefined ? { jsonPath: f.jsonPath } : {}),
  };
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level,
    message: { text: `${title}: ${f.preview}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(f.file), uriBaseId: BASE_ID },
          region: {
            startLine: f.line,
            startColumn: f.column,
            endLine: f.endLine,
            endColumn: f.endColumn,
          },
        },
      },
    ],
    partialFingerprints: { 'bastionSecret/v1': f.fingerprint },
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

/** SARIF 2.1.0 for code-scanning tools; locations are relative to the scan's root folder. */
export function renderSarif(result: ScanResult): string {
  const rules = result.rules.map((r) => ({
    id: r.id,
    shortDescription: { text: r.title },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: {
      tags: ['security', 'secret'],
      'security-severity': SECURITY_SEVERITY[r.severity],
    },
  }));
  const index = new Map(result.rules.map((r, i) => [r.id, i]));
  const results = result.findings.map((f) => {
    const i = index.get(f.ruleId) ?? -1;
    const rule = result.rules[i];
    return resultOf(f, i, LEVEL[rule?.severity ?? 'medium'], rule?.title ?? f.ruleId);
  });
  const root = pathToFileURL(result.rootDir).href;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'bastion-scan', rules } },
        originalUriBaseIds: { [BASE_ID]: { uri: root.endsWith('/') ? root : `${root}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
