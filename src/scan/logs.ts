import type { SecretDetector, SecretFinding } from '../detect/secrets/index.js';
import {
  createTextScanner,
  INLINE_ALLOW,
  type LocatedSecret,
  type TextScanner,
} from './text-scanner.js';
import type { RawFinding } from './types.js';

export interface LogScanner {
  push(text: string): void;
  end(): void;
}

const MAX_JSON_DEPTH = 64;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Calls `visit` for every string in a parsed JSON value, with its JSONPath. */
function walkStrings(root: unknown, visit: (value: string, path: string) => void): void {
  const stack: [unknown, string, number][] = [[root, '$', 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, path, depth] = item;
    if (typeof value === 'string') visit(value, path);
    else if (depth >= MAX_JSON_DEPTH || typeof value !== 'object' || value === null) continue;
    else if (Array.isArray(value))
      value.forEach((v, i) => stack.push([v, childPath(path, i), depth + 1]));
    else for (const [k, v] of Object.entries(value)) stack.push([v, childPath(path, k), depth + 1]);
  }
}

function located(
  file: string,
  line: number,
  f: SecretFinding,
  column: number,
  inline: boolean,
): RawFinding {
  return {
    ruleId: f.ruleId,
    file,
    line,
    column,
    endLine: line,
    endColumn: column + (f.end - f.start),
    fingerprint: f.fingerprint,
    preview: f.preview,
    inlineAllowed: inline,
  };
}

/**
 * Log files: JSON lines are scanned as raw text and, when a record holds escapes, as the
 * decoded string values too (a PEM key or a nested JSON body inside a message); findings
 * name the JSONPath. Anything else is scanned as plain text, across lines.
 */
export function createLogScanner(
  detector: SecretDetector,
  file: string,
  emit: (finding: RawFinding) => void,
  fromLocated: (s: LocatedSecret) => RawFinding,
): LogScanner {
  let mode: 'unknown' | 'jsonl' | 'plain' = 'unknown';
  let plain: TextScanner | undefined;
  let rest = '';
  let lineNo = 0;

  function scanJsonLine(line: string): void {
    lineNo++;
    if (!detector.mayContainSecret(line)) return;
    const inline = line.includes(INLINE_ALLOW);
    const seen = new Set<string>();
    for (const f of detector.find(line)) {
      seen.add(f.fingerprint);
      emit(located(file, lineNo, f, f.start + 1, inline));
    }
    if (!line.includes('\\')) return; // no escapes: every string value was scanned verbatim
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return;
    }
    walkStrings(record, (value, path) => {
      for (const f of detector.find(value)) {
        if (seen.has(f.fingerprint)) continue;
        seen.add(f.fingerprint);
        const at = line.indexOf(value.slice(f.start, f.end));
        emit({ ...located(file, lineNo, f, at === -1 ? 1 : at + 1, inline), jsonPath: path });
      }
    });
  }

  function pushJson(text: string): void {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      scanJsonLine(rest + text.slice(from, nl));
      rest = '';
      from = nl + 1;
    }
    rest += text.slice(from);
  }

  function decide(text: string): void {
    rest += text;
    const first = /\S/.exec(rest);
    if (first === null) return;
    const buffered = rest;
    rest = '';
    if (first[0] === '{') {
      mode = 'jsonl';
      pushJson(buffered);
    } else {
      mode = 'plain';
      plain = createTextScanner(detector, (s) => emit(fromLocated(s)));
      plain.push(buffered);
    }
  }

  return {
    push(text) {
      if (mode === 'unknown') decide(text);
      else if (mode === 'jsonl') pushJson(text);
      else plain?.push(text);
    },
    end() {
      if (mode === 'jsonl' && rest !== '') scanJsonLine(rest);
      plain?.end();
    },
  };
}
