import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/cli/commands/config-schema.js';
import { renderErrorsMarkdown } from '../../src/errors/docs.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('generated files are current (run `npm run docs` after changing codes or config)', () => {
  it('docs/errors.md lists every error code', () => {
    expect(read('docs/errors.md')).toBe(renderErrorsMarkdown());
  });

  it('schema/bastion.schema.json matches the config schema', () => {
    expect(read('schema/bastion.schema.json')).toBe(configJsonSchema());
  });
});
