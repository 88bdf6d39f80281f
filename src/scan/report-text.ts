import type { ScanResult } from './types.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(result: ScanResult): string {
  const s = result.stats;
  const scanned =
    s.commitsScanned > 0
      ? `${plural(s.commitsScanned, 'commit')} (${plural(s.filesScanned, 'file change')})`
      : `${plural(s.filesScanned, 'file')} (${(s.bytesScanned / 1e6).toFixed(1)} MB)`;
  const hidden = [
    s.suppressedInline > 0 ? `${s.suppressedInline} by bastion:allow` : '',
    s.suppressedAllowList > 0 ? `${s.suppressedAllowList} by the allow-list` : '',
    s.suppressedBaseline > 0 ? `${s.suppressedBaseline} by the baseline` : '',
  ].filter((x) => x !== '');
  const skipped = s.skippedBinary + s.skippedTooLarge + s.skippedUnreadable;
  const found =
    result.findings.length === 0
      ? 'No secrets found'
      : `${plural(result.findings.length, 'secret')} found`;
  return (
    `${found} in ${scanned}` +
    (hidden.length > 0 ? `; hidden: ${hidden.join(', ')}` : '') +
    (skipped > 0
      ? `; skipped ${skipped} (binary ${s.skippedBinary}, too large ${s.skippedTooLarge}, unreadable ${s.skippedUnreadable})`
      : '') +
    '.\n'
  );
}

/**
 * For people: `file:line:col  rule  preview  fingerprint`, one finding per line, then a
 * summary. Previews are masked; the secret itself is never printed.
 */
export function renderText(result: ScanResult): string {
  const titles = new Map(result.rules.map((r) => [r.id, r.title]));
  let out = '';
  for (const f of result.findings) {
    out += `${f.file}:${f.line}:${f.column}  ${f.ruleId}  ${f.preview}  fp:${f.fingerprint}\n`;
    const detail = [
      titles.get(f.ruleId) ?? '',
      f.commit !== undefined ? `commit ${f.commit.slice(0, 12)} (${f.authorDate ?? ''})` : '',
      f.jsonPath !== undefined ? `at ${f.jsonPath}` : '',
    ].filter((x) => x !== '');
    out += `    ${detail.join(' · ')}\n`;
  }
  return out + summary(result);
}
