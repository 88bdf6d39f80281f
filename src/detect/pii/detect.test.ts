import { describe, expect, it } from 'vitest';
import { createPiiDetector } from './detect.js';
import { ibanChecksumValid } from './iban.js';
import { luhnValid } from './card.js';
import { isValidSsn } from './ssn.js';

const found = (text: string, opts?: Parameters<typeof createPiiDetector>[0]) =>
  createPiiDetector(opts)
    .find(text)
    .map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

describe('createPiiDetector', () => {
  it('finds each built-in type with exact offsets', () => {
    expect(found('mail a.b@example.com, call +44 20 7946 0958')).toEqual([
      'email:a.b@example.com',
      'phone:+44 20 7946 0958',
    ]);
    expect(found('card 4111 1111 1111 1111 iban GB29NWBK60161331926819')).toEqual([
      'card:4111 1111 1111 1111',
      'iban:GB29NWBK60161331926819',
    ]);
    expect(found('ssn 219-09-9999 from 203.0.113.7')).toEqual([
      'ssn:219-09-9999',
      'ip:203.0.113.7',
    ]);
    expect(found('Dear Ms. Okafor, Priya Raman says hi')).toEqual([
      'name:Okafor',
      'name:Priya Raman',
    ]);
  });

  it('skips hard negatives', () => {
    expect(
      found('icon@2x.png, react@18.2.0, git@github.com:a/b.git, 2024-01-15, 127.0.0.1'),
    ).toEqual([]);
    expect(found('Will you come in May? Hello World. Ruby and Julia are languages.')).toEqual([]);
  });

  it('resolves overlaps by priority (a card is not also a phone)', () => {
    expect(found('call 4111-1111-1111-1111')).toEqual(['card:4111-1111-1111-1111']);
  });

  it('limits detection to the configured types', () => {
    expect(found('a@b.co 219-09-9999', { types: ['ssn'] })).toEqual(['ssn:219-09-9999']);
  });

  it('runs custom patterns and word lists before the built-ins', () => {
    const opts = {
      types: ['email' as const],
      custom: [
        { name: 'employee_id', pattern: 'EMP-[0-9]{6}' },
        { name: 'project', words: ['Project Falcon', 'nightjar'] },
      ],
    };
    expect(found('EMP-123456 on project falcon and Nightjar, x@y.io', opts)).toEqual([
      'employee_id:EMP-123456',
      'project:project falcon',
      'project:Nightjar',
      'email:x@y.io',
    ]);
  });

  it('refuses a custom pattern that could backtrack catastrophically', () => {
    expect(() => createPiiDetector({ custom: [{ name: 'bad', pattern: '(a+)+b' }] })).toThrow();
  });
});

describe('validators', () => {
  it('checks Luhn, IBAN mod 97 and SSN ranges', () => {
    expect([luhnValid('4111111111111111'), luhnValid('4111111111111112')]).toEqual([true, false]);
    expect([
      ibanChecksumValid('DE89370400440532013000'),
      ibanChecksumValid('DE89370400440532013001'),
    ]).toEqual([true, false]);
    expect(
      ['123456789', '000456789', '666456789', '900456789', '123006789', '123450000'].map(
        isValidSsn,
      ),
    ).toEqual([true, false, false, false, false, false]);
  });
});
