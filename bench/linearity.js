// Linear time on hostile input, measured: each detector on 256 KB and on 1 MB of the same
// adversarial text (no spaces, half-matches, long runs), best of three interleaved runs. Linear
// work gives a ratio of about 4; a quadratic path gives 16 or more. Moved here from
// src/detect/adversarial.test.ts, where a timed ratio failed on a loaded machine; that test
// still runs every detector on 1 MB of each shape.
// Run after `npm run build`:  node bench/linearity.js
import console from 'node:console';
import process from 'node:process';
import { createInjectionDetector } from '../dist/detect/injection/index.js';
import { createPiiDetector } from '../dist/detect/pii/index.js';
import { createSecretDetector } from '../dist/detect/secrets/index.js';
import { stripHtml } from '../dist/detect/text/html.js';
import { findMarkdownRefs } from '../dist/detect/text/markdown.js';

const SMALL = 256 * 1024;
const LARGE = 1024 * 1024;
const pii = (type) => createPiiDetector({ types: [type] });
const injection = createInjectionDetector();
const secrets = createSecretDetector();
const CASES = [
  ['email', (t) => pii('email').find(t), ['a@', '.@a.', 'a [at] ']],
  ['phone', (t) => pii('phone').find(t), ['1 ', '+1', 'a;9876543210\n']],
  ['name', (t) => pii('name').find(t), ['Dear ', 'Anna ', '给王伟', 'A']],
  ['injection', (t) => injection.scan(t), ['ignore previous ', '%41', '<|']],
  ['secrets', (t) => secrets.find(t), ['sk-', 'AKIA', 'key=', 'a']],
  ['html', stripHtml, ['<a', '<!--', '<a b="']],
  ['markdown', findMarkdownRefs, ['[a](', '![a](http://x', '((']],
];

const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
function time(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

let worst = 0;
for (const [name, run, units] of CASES) {
  const ratios = units.map((unit) => {
    const small = fill(unit, SMALL);
    const large = fill(unit, LARGE);
    let tSmall = Infinity;
    let tLarge = Infinity;
    for (let i = 0; i < 3; i++) {
      tSmall = Math.min(
        tSmall,
        time(() => run(small)),
      );
      tLarge = Math.min(
        tLarge,
        time(() => run(large)),
      );
    }
    // Under 50 ms for 1 MB is linear whatever the ratio says (a GC pause dominates it); a
    // quadratic path over 1 MB takes hours.
    return tLarge < 50 ? 4 : tLarge / tSmall;
  });
  const max = Math.max(...ratios);
  worst = Math.max(worst, max);
  console.log(`linearity ${name}: 1 MB / 256 KB time, worst shape ${max.toFixed(1)}x (linear ~4x)`);
}
console.log(`linearity: worst ratio ${worst.toFixed(1)}x${worst >= 16 ? ' -- QUADRATIC?' : ''}`);
