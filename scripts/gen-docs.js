// Regenerates the files derived from code: docs/errors.md and schema/bastion.schema.json.
// Run with `npm run docs` (builds first); test/integration/docs-drift.test.ts fails on drift.
import { writeFileSync } from 'node:fs';
import { renderErrorsMarkdown } from '../dist/errors/docs.js';
import { configJsonSchema } from '../dist/cli/commands/config-schema.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsMarkdown());
writeFileSync(new URL('../schema/bastion.schema.json', import.meta.url), configJsonSchema());
console.log('wrote docs/errors.md and schema/bastion.schema.json');
