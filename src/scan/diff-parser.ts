/** Written by `git log --format` before each commit's patch; diff lines never start with it. */
export const COMMIT_MARKER = '\u001ebastion-commit ';

export interface DiffSink {
  onCommit(sha: string, authorDate: string): void;
  /** A file's new path (from `+++ b/…`); returns false to skip its lines. */
  onFile(path: string): boolean;
  /** One added line. Consecutive calls until `onRunEnd` are consecutive lines of the file. */
  onAddedLine(path: string, lineNo: number, text: string): void;
  onRunEnd(): void;
}

export interface DiffParser {
  line(text: string): void;
  end(): void;
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Undoes git's C-style quoting of unusual path names (`"b/a\"b"`, octal UTF-8 bytes). */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"')) return raw;
  const bytes: number[] = [];
  const body = raw.slice(1, -1);
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    r: 13,
    '"': 34,
    '\\': 92,
    a: 7,
    b: 8,
    f: 12,
    v: 11,
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function newPathOf(header: string): string | undefined {
  const raw = unquoteGitPath(header.slice(4).replace(/\t$/, ''));
  return raw.startsWith('b/') ? raw.slice(2) : undefined;
}

/**
 * A streaming parser for `git diff` / `git log -p` output (run with `--src-prefix=a/
 * --dst-prefix=b/`): reports added lines with their line numbers in the new file.
 */
export function createDiffParser(sink: DiffSink): DiffParser {
  let inHunk = false;
  let inRun = false;
  let path: string | undefined;
  let newLine = 0;

  function endRun(): void {
    if (inRun) sink.onRunEnd();
    inRun = false;
  }

  function hunkLine(text: string): boolean {
    const c = text.charCodeAt(0);
    if (c === 43 /* + */) {
      if (path !== undefined) {
        inRun = true;
        sink.onAddedLine(path, newLine, text.slice(1));
      }
      newLine++;
      return true;
    }
    if (c === 32 /* space */ || c === 45 /* - */ || c === 92 /* \ */) {
      endRun();
      if (c === 32) newLine++;
      return true;
    }
    return false;
  }

  function headerLine(text: string): void {
    if (text.startsWith(COMMIT_MARKER)) {
      const [sha = '', authorDate = ''] = text.slice(COMMIT_MARKER.length).split(' ');
      sink.onCommit(sha, authorDate);
    } else if (text.startsWith('diff --git ')) {
      path = undefined;
    } else if (text.startsWith('+++ ')) {
      const next = newPathOf(text);
      path = next !== undefined && sink.onFile(next) ? next : undefined;
    } else if (text.startsWith('Binary files ')) {
      path = undefined;
    }
  }

  return {
    line(text: string): void {
      if (inHunk && hunkLine(text)) return;
      endRun();
      const hunk = HUNK_HEADER.exec(text);
      if (hunk !== null) {
        inHunk = true;
        newLine = Number(hunk[1]);
        return;
      }
      inHunk = false;
      headerLine(text);
    },
    end: endRun,
  };
}
