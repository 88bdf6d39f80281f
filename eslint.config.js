import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const base = ['errors', 'log', 'util'];
const domain = ['alerts', 'config', 'detect', 'limits', 'policy', 'pricing', 'providers'];
/**
 * What each top-level folder of src/ may import (STYLE.md §2: dependencies point inward,
 * `server -> pipeline -> {providers, store, secrets, detect} -> {errors, log, util}`). Every
 * folder needs an entry; `app` is src/app.ts, the composition root. scripts/check-imports.js
 * (in `npm test`) also fails on any cycle between files or folders.
 */
const mayImport = {
  util: [],
  errors: ['util'],
  log: ['detect', 'util'],
  detect: ['errors', 'util'],
  providers: base,
  store: base,
  limits: base,
  secrets: base,
  pricing: ['providers', ...base],
  alerts: ['store', ...base],
  scan: ['detect', ...base],
  policy: ['alerts', 'limits', 'pricing', 'store', ...base],
  config: ['detect', 'policy', 'pricing', 'providers', 'secrets', 'store', ...base],
  pipeline: [...domain, 'secrets', 'store', ...base],
  telemetry: ['pipeline', ...domain, 'secrets', 'store', ...base],
  server: ['pipeline', 'telemetry', ...domain, 'secrets', 'store', ...base],
  // The composition root's per-area builders (src/app.ts calls them).
  wiring: ['pipeline', 'server', 'telemetry', ...domain, 'secrets', 'store', ...base],
  cli: [
    'app',
    'wiring',
    'scan',
    'pipeline',
    'server',
    'telemetry',
    ...domain,
    'secrets',
    'store',
    ...base,
  ],
};

/** One `no-restricted-imports` block per folder and depth, matching resolved relative paths. */
function boundaryRules() {
  const folders = readdirSync(new URL('src', import.meta.url), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const missing = folders.filter((f) => !(f in mayImport));
  if (missing.length > 0) throw new Error(`eslint.config.js: add ${missing} to mayImport`);
  return folders.flatMap((folder) => {
    const denied = [...folders, 'app'].filter(
      (f) => f !== folder && !mayImport[folder].includes(f),
    );
    if (denied.length === 0) return [];
    return [1, 2].map((depth) => ({
      files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
      // A test may reach across folders to set up what it checks.
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\.\\./){${depth}}(${denied.join('|')})(/|\\.js$)`,
                message: `src/${folder}/ may import only ${mayImport[folder].join(', ') || 'nothing'} from src/ (eslint.config.js mayImport, STYLE.md §2).`,
              },
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='vi'][callee.property.name='mock']",
          message: 'Inject collaborators instead of vi.mock.',
        },
      ],
    },
  },
  ...boundaryRules(),
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain Node scripts (bench, scripts): Node's globals.
    files: ['**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'Buffer',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'performance',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The operator console's browser modules (served by the control plane).
    files: ['src/server/console/static/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'fetch',
          'FormData',
          'Blob',
          'URL',
          'URLSearchParams',
          'Node',
          'confirm',
          'setTimeout',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
