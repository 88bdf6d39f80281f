// Fails (exit 1) on a function in src/ longer than 100 lines whose body does not open with a
// `// Long by design: <why>` comment (STYLE.md §1 aims at 50; a longer one says why).
// Run by `npm test` and `npm run check` (lint:structure). Tests are left out.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const MAX_LINES = 100;
const MARKER = /^\s*\/\/ Long by design: \S/m;
const root = resolve(import.meta.dirname, '../src');

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const problems = [];
for (const file of sourceFiles(root)) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body !== undefined && ts.isBlock(node.body)) {
      const line = (pos) => source.getLineAndCharacterOfPosition(pos).line;
      const length = line(node.getEnd()) - line(node.getStart()) + 1;
      const firstStatement = node.body.statements[0];
      const opening = text.slice(
        node.body.getStart() + 1,
        firstStatement === undefined ? node.body.getEnd() : firstStatement.getStart(),
      );
      if (length > MAX_LINES && !MARKER.test(opening)) {
        const name = node.name?.getText(source) ?? '(anonymous)';
        problems.push(`${relative(root, file)}:${line(node.getStart()) + 1} ${name}: ${length}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (problems.length > 0) {
  console.error(
    `functions over ${MAX_LINES} lines without "// Long by design: <why>" as their first line:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`no function in src/ over ${MAX_LINES} lines without a reason`);
