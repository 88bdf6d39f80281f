// `npm run build`: the operator console's static files (HTML, CSS, browser JS) go beside the
// compiled server module that serves them (dist/server/console/static/).
import { cpSync, rmSync } from 'node:fs';

const from = new URL('../src/server/console/static/', import.meta.url);
const to = new URL('../dist/server/console/static/', import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
