import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as scan } from '../../src/cli/commands/scan.js';
import { createFakeKeys } from '../fixtures/scan-corpus/fake-keys.js';
import { createThrowawayRepo, runCommand, type ThrowawayRepo } from './helpers/git-repo.js';

// The published OASIS SARIF 2.1.0 schema (draft-07), stored as a fixture.
const schemaPath = join(
  dirname(fileURLToPath(import.meta.url)),
  '../fixtures/sarif-schema-2.1.0.json',
);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;

let repo: ThrowawayRepo;
beforeAll(() => {
  repo = createThrowawayRepo();
  const keys = createFakeKeys(1618);
  repo.write('src/a b/config.ts', `export const k = "${keys['anthropic-api-key']!().value}";\n`);
  repo.write(
    'logs/app.log',
    `${JSON.stringify({ msg: 'x', auth: `Bearer ${keys['bearer-token']!().value}` })}\n`,
  );
  repo.write('old.txt', `${keys['stripe-test-key']!().value}\n`);
  repo.commit('init', '2024-05-06T07:08:09Z');
});
afterAll(() => repo.remove());

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
/** RFC 3986 characters only: anything else (a space, a quote) must be percent-encoded. */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

function isUri(value: string): boolean {
  return URI_CHARS.test(value) && URL.canParse(value);
}

function isUriReference(value: string): boolean {
  return URI_CHARS.test(value) && URL.canParse(value, 'file:///base/');
}

// The schema's formats, checked rather than ignored (ajv-formats is not a dependency).
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat(
    'date-time',
    (value: string) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)),
  );
  return ajv.compile(schema);
}

describe('SARIF output', () => {
  it.each([[[] as string[]], [['--history']], [['--logs', 'logs']]])(
    'validates against the SARIF 2.1.0 schema (%s)',
    async (args) => {
      const run = await runCommand(scan, [...args, '--format', 'sarif'], repo.dir, repo.env);
      expect(run.code).toBe(1);
      const log = JSON.parse(run.stdout) as { runs: { results: unknown[] }[] };
      const validate = validator();
      expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
      expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    },
  );

  it('is valid with no results, and places results by relative URI, rule and level', async () => {
    const clean = await runCommand(
      scan,
      ['--format', 'sarif', 'src', '--allow-rule', 'anthropic-api-key'],
      repo.dir,
      repo.env,
    );
    expect(clean.code).toBe(0);
    expect(validator()(JSON.parse(clean.stdout))).toBe(true);

    const run = await runCommand(scan, ['--format', 'sarif', 'src'], repo.dir, repo.env);
    const log = JSON.parse(run.stdout) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[];
    };
    const [result] = log.runs[0]!.results;
    expect(result).toMatchObject({
      ruleId: 'anthropic-api-key',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/a%20b/config.ts', uriBaseId: 'SRCROOT' },
            region: { startLine: 1, startColumn: 19 },
          },
        },
      ],
    });
    expect(log.runs[0]!.tool.driver.rules[result!.ruleIndex as number]!.id).toBe(
      'anthropic-api-key',
    );
  });

  it('rejects logs that break the schema (the validator is not a rubber stamp)', async () => {
    const run = await runCommand(scan, ['--format', 'sarif', 'src'], repo.dir, repo.env);
    const validate = validator();
    const broken = (edit: (log: { runs: { results: Record<string, unknown>[] }[] }) => void) => {
      const log = JSON.parse(run.stdout) as { runs: { results: Record<string, unknown>[] }[] };
      edit(log);
      return validate(log);
    };
    expect(broken(() => {})).toBe(true);
    expect(broken((l) => delete l.runs[0]!.results[0]!.message)).toBe(false);
    expect(broken((l) => (l.runs[0]!.results[0]!.level = 'fatal'))).toBe(false);
    expect(broken((l) => (l.runs[0]!.results[0]!.bogus = 1))).toBe(false);
    expect(broken((l) => ((l as unknown as Record<string, unknown>).version = '2.0.0'))).toBe(
      false,
    );
  });
});
