import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenCounter } from '../pricing/tokens.js';
import { createInjectionDetector } from './injection/index.js';
import { createPiiDetector } from './pii/index.js';
import { createSecretDetector } from './secrets/index.js';
import { foldForMatching } from './text/fold.js';
import { stripHtml } from './text/html.js';
import { findInvisible, stripInvisible } from './text/invisible.js';
import { findMarkdownRefs } from './text/markdown.js';
import { estimateTokens } from './text/tokens.js';

/**
 * Adversarial inputs of 1 MB: each detector must get through them. A quadratic path
 * (catastrophic backtracking, a rescan per match) over 1 MB costs around 10^12 steps, hours,
 * so the test's timeout is what catches it; a linear one takes milliseconds. Nothing here is
 * timed: how long linear work takes depends on the machine's load. The ratio between 256 KB
 * and 1 MB (4x when linear) is measured by `npm run bench` (bench/linearity.js); the secret
 * detector's work counters are checked exactly below.
 *
 * Every detector also gets the shapes a hostile caller picks because they have no spaces:
 * CJK, Thai, emoji, punctuation, base64 and long runs of one character.
 */
const SIZE = 1024 * 1024;

function fill(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function expectLinear(run: (text: string) => unknown, unit: string): void {
  expect(() => run(fill(unit, SIZE))).not.toThrow();
}

async function expectLinearAsync(run: (text: string) => unknown, unit: string): Promise<void> {
  await expect(Promise.resolve(run(fill(unit, SIZE)))).resolves.toBeDefined();
}

const pii = Object.fromEntries(
  (['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'name'] as const).map((t) => [
    t,
    createPiiDetector({ types: [t] }),
  ]),
);
const injection = createInjectionDetector();
const secrets = createSecretDetector();
const tokens = createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 2_000_000 });
/** Synchronous once preloaded for short texts; the 1 MB ones are timed to completion. */
const countTokens = (model: string) => (text: string) =>
  tokens.countPrompt('embeddings', { input: text }, model);

const SCRIPTS = ['漢字中文', 'ภาษาไทย', '😀🎉', '!?.,;', 'QUJDRA==', 'a'];
/** The worker answers vitest between units; a long synchronous case times its RPC out. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const CASES: [string, (text: string) => unknown, string[]][] = [
  [
    'email',
    (t) => pii.email?.find(t),
    ['@', 'a', 'a@', '.@a.', 'a@b.', 'a.b@c-', 'ü@ü.', 'a [at] ', 'a(at)b (dot) ', 'a[at]b.'],
  ],
  [
    'phone',
    (t) => pii.phone?.find(t),
    ['1 ', '+1', '(1', '1-', '0 1', 'call 1 ', '00 ', 'Phone;Name\n1;', 'a;9876543210\n'],
  ],
  ['card', (t) => pii.card?.find(t), ['4', '4 ', '4-', '41 ']],
  ['iban', (t) => pii.iban?.find(t), ['DE89', 'DE89 ', 'GB82WEST ', 'D', 'de89 ', 'gb82west ']],
  ['ssn', (t) => pii.ssn?.find(t), ['123-45-', '1', 'ssn 1', '123 45 ']],
  ['ip', (t) => pii.ip?.find(t), ['1.', 'a:', '1:', 'f', '1.1.1.', '::', 'fe80::']],
  [
    'name',
    (t) => pii.name?.find(t),
    [
      'Dear ',
      'Anna ',
      'Mr. ',
      'A',
      'a',
      'Jean-',
      'name: ',
      '"name": "A',
      '{"fullName":"Anna Kowalska",',
      'Name;Phone\nA;',
      '[09:14] A: ',
      'P. ',
      'de ',
      'Zadzwoń do Jana ',
      '王',
      '给王伟',
      '김민준에게 ',
      'محمد ',
      'לדוד ',
    ],
  ],
  [
    'injection',
    (t) => injection.scan(t),
    [
      'ignore ',
      'ignore previous ',
      'A',
      '%41',
      'ab',
      '<|',
      '![a](http://x?',
      'forget all ',
      '\u{e0041}',
      '忽略',
    ],
  ],
  ['html', stripHtml, ['<a', '<!--', '<script>', '< ', '<a b="']],
  [
    'invisible',
    (t) => [stripInvisible(t), findInvisible(t)],
    ['\u200b', 'a\u200d', '\u{e0041}', '\ufe00'],
  ],
  ['fold', foldForMatching, ['aо', ' \n', 'Ａ']],
  ['secrets', (t) => secrets.find(t), ['sk-', 'sk-proj-', 'AKIA', 'ghp_', 'key=', 'xoxb-']],
  ['markdown', findMarkdownRefs, ['[a](', '![a](http://x', '[', '](', '<img ', '((']],
  ['estimate', estimateTokens, []],
];

describe('detectors stay linear on 1 MB adversarial inputs', () => {
  it.each(CASES)(
    '%s',
    async (_name, run, units) => {
      for (const unit of [...units, ...SCRIPTS]) {
        expectLinear(run, unit);
        await nextTurn();
      }
    },
    180_000,
  );
});

describe('the secret detector does linear work, counted', () => {
  it.each(['sk-', 'sk-proj-', 'AKIA', 'ghp_', 'key=', 'xoxb-', 'a'])('%s', (unit) => {
    const detector = createSecretDetector();
    const rules = detector.rules.length;
    for (const size of [SIZE / 4, SIZE]) {
      const before = { ...detector.work };
      detector.find(fill(unit, size));
      const w = detector.work;
      // One pass of the keyword filter, at most one regex scan per rule, never a rescan.
      expect(w.prefilterChars - before.prefilterChars).toBeLessThanOrEqual(size);
      expect(w.regexScans - before.regexScans).toBeLessThanOrEqual(2 * rules);
      expect(w.validatedChars - before.validatedChars).toBeLessThanOrEqual(2 * size);
    }
  });
});

describe('token counting stays linear on 1 MB of unspaced text', () => {
  beforeAll(() => tokens.preload());

  it.each(['gpt-4o', 'gpt-4'])(
    '%s',
    async (model) => {
      for (const unit of [...SCRIPTS, '漢', 'ก', ' ', '\n', '0']) {
        await expectLinearAsync(countTokens(model), unit);
      }
    },
    180_000,
  );
});
