import { describe, expect, it } from 'vitest';
import { COMMIT_MARKER, createDiffParser, unquoteGitPath } from './diff-parser.js';

function parse(lines: string[], skip: (path: string) => boolean = () => false) {
  const events: string[] = [];
  const parser = createDiffParser({
    onCommit: (sha, date) => events.push(`commit ${sha} ${date}`),
    onFile: (path) => (events.push(`file ${path}`), !skip(path)),
    onAddedLine: (path, n, text) => events.push(`+ ${path}:${n} ${text}`),
    onRunEnd: () => events.push('end'),
  });
  for (const l of lines) parser.line(l);
  parser.end();
  return events;
}

describe('createDiffParser', () => {
  it('reports added lines with their new line numbers, in runs', () => {
    const events = parse([
      `${COMMIT_MARKER}abc123 2024-01-02T03:04:05+00:00`,
      '',
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1111111..2222222 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -3,0 +4,2 @@ function f() {',
      '+const a = 1;',
      '++++ not a header inside a hunk',
      '@@ -10 +12 @@',
      '-old',
      '+new',
      '\\ No newline at end of file',
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
    ]);
    expect(events).toEqual([
      'commit abc123 2024-01-02T03:04:05+00:00',
      'file src/a.ts',
      '+ src/a.ts:4 const a = 1;',
      '+ src/a.ts:5 +++ not a header inside a hunk',
      'end',
      '+ src/a.ts:12 new',
      'end',
    ]);
  });

  it('ends a run at a removed or context line, and keeps counting context lines', () => {
    const events = parse(['+++ b/f', '@@ -1,3 +1,4 @@', '+a', ' ctx', '+b', '-c', '+d']);
    expect(events).toEqual(['file f', '+ f:1 a', 'end', '+ f:3 b', 'end', '+ f:4 d', 'end']);
  });

  it('skips the lines of files the sink declines, and binary files', () => {
    const events = parse(
      [
        '+++ b/vendor/x.js',
        '@@ -0,0 +1 @@',
        '+secret',
        'diff --git a/i.png b/i.png',
        'Binary files /dev/null and b/i.png differ',
      ],
      (p) => p.startsWith('vendor/'),
    );
    expect(events).toEqual(['file vendor/x.js']);
  });

  it('undoes git path quoting', () => {
    expect(unquoteGitPath('"b/we\\"ird\\tname"')).toBe('b/we"ird\tname');
    expect(unquoteGitPath('"b/caf\\303\\251.txt"')).toBe('b/café.txt');
    expect(unquoteGitPath('b/plain name.txt')).toBe('b/plain name.txt');
  });
});
