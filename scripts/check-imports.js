// Fails (exit 1) on an import cycle in src/: between two files, or between two top-level
// folders (STYLE.md §2: dependencies point one way). Type-only imports count: a type cycle
// is the same tangle for a reader. Tests are left out (a test may import anything).
// Run by `npm test` and `npm run check`; a plain script over the TypeScript parser, because
// eslint-plugin-import's no-cycle re-parses every file per rule run and does not see
// folder-level cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../src');

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  const visit = (node) => {
    const spec =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
        ? node.moduleSpecifier
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
          ? node.arguments[0]
          : undefined;
    if (spec !== undefined && ts.isStringLiteral(spec) && spec.text.startsWith('.'))
      out.push(resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')));
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest));
  return out;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

const files = new Map(sourceFiles(root).map((f) => [f, importsOf(f)]));
const folderOf = (file) => relative(root, file).split('/')[0];
const folders = new Map();
const examples = new Map();
for (const [file, deps] of files) {
  for (const dep of deps) {
    const [from, to] = [folderOf(file), folderOf(dep)];
    if (from === to || !files.has(dep)) continue;
    if (!folders.has(from)) folders.set(from, new Set());
    folders.get(from).add(to);
    if (!examples.has(`${from}>${to}`))
      examples.set(`${from}>${to}`, `${relative(root, file)} -> ${relative(root, dep)}`);
  }
}

const problems = [
  ...cycles(files).map((c) => `file cycle: ${c.map((f) => relative(root, f)).join(' <-> ')}`),
  ...cycles(folders).map((c) => {
    const edges = c.flatMap((a) => c.map((b) => examples.get(`${a}>${b}`))).filter(Boolean);
    return `folder cycle: ${c.join(' <-> ')}\n    ${edges.join('\n    ')}`;
  }),
];
if (problems.length > 0) {
  console.error(`import cycles in src/ (STYLE.md §2):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`no import cycles in src/ (${files.size} files, ${folders.size} folders)`);
