import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPiiDetector } from './detect.js';
import { createPseudonymVault } from './pseudonym.js';

const detector = createPiiDetector({ custom: [{ name: 'code', words: ['falcon'] }] });

/** Pseudonymises every finding, as the input guard does. */
function pseudonymise(text: string, vault: ReturnType<typeof createPseudonymVault>): string {
  vault.reserveFrom(text);
  let out = '';
  let at = 0;
  for (const f of detector.find(text)) {
    out += text.slice(at, f.start) + vault.tokenFor(f.type, text.slice(f.start, f.end));
    at = f.end;
  }
  return out + text.slice(at);
}

const piece = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'john@example.com',
    'JOHN@example.com',
    '+44 20 7946 0958',
    '4111 1111 1111 1111',
    'GB29NWBK60161331926819',
    '219-09-9999',
    '203.0.113.7',
    'Dear Anna Schmidt,',
    'falcon',
    '<EMAIL_1>',
    '<NAME_2>',
    '<',
    '>',
    ' ',
    '\n',
    'Hi Priya',
    '<CODE_1>',
  ),
);

describe('pseudonymisation', () => {
  it('restore(pseudonymise(text)) is the identity, caller text with placeholders included', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join(' ');
        const vault = createPseudonymVault();
        expect(vault.restore(pseudonymise(text, vault))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same value the same token within a request and different values different tokens', () => {
    const vault = createPseudonymVault();
    const out = pseudonymise('a@b.co then c@d.co then a@b.co', vault);
    expect(out).toBe('<EMAIL_1> then <EMAIL_2> then <EMAIL_1>');
  });

  it('never mints a token the caller already wrote', () => {
    const vault = createPseudonymVault();
    expect(pseudonymise('<EMAIL_1> is a@b.co', vault)).toBe('<EMAIL_1> is <EMAIL_2>');
  });
});
