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

  it('finds names by the cues around them, in any script and format', () => {
    const names = (text: string) => found(text, { types: ['name'] });
    expect(names('Report reviewed by P. de Vries and signed by J. R. Okonkwo.')).toEqual([
      'name:P. de Vries',
      'name:J. R. Okonkwo',
    ]);
    expect(names('{"id":7,"beneficiaryName":"Tamsin Marlowe","city":"Bristol"}')).toEqual([
      'name:Tamsin Marlowe',
    ]);
    expect(names('Kontoinhaber: Wiebke Brückner\nBetrag: 120 EUR')).toEqual([
      'name:Wiebke Brückner',
    ]);
    expect(names('From: "Siobhán O\'Rourke" <s@example.ie>')).toEqual(["name:Siobhán O'Rourke"]);
    expect(names('Nachname;Vorname;Ort\nGroßmann;Gesine;Leipzig')).toEqual([
      'name:Großmann',
      'name:Gesine',
    ]);
    expect(names('Zadzwoń do Piotra Zielińskiego w sprawie faktury.')).toEqual([
      'name:Piotra Zielińskiego',
    ]);
    expect(names('Вчера я звонил Максиму Лебедеву по поводу счёта.')).toEqual([
      'name:Максиму Лебедеву',
    ]);
    expect(names('我昨天给王伟打了电话。')).toEqual(['name:王伟']);
    expect(names('昨日田中太郎に電話しました。')).toEqual(['name:田中太郎']);
    expect(names('어제 김민준에게 전화했어요.')).toEqual(['name:김민준']);
    expect(names('اتصلت بـ محمد الحسيني أمس')).toEqual(['name:محمد الحسيني']);
    expect(names('שילמנו לדוד כהן על הייעוץ.')).toEqual(['name:דוד כהן']);
    expect(names('Theo Nguyễn Quốc Bảo, hàng đã được gửi đi.')).toEqual(['name:Nguyễn Quốc Bảo']);
  });

  it('leaves decoys alone: products, places, months, headings, famous people, keys', () => {
    expect(
      found(
        'Quarterly Report\nMarch, Valencia: Windows Server version 1.2.3.4 and v10.0.0.1. ' +
          'Albert Einstein and Marie Curie wrote about it. {"name":"Galaxy Note","version":"2.4.1.9"}\n' +
          'Name,email,city',
      ),
    ).toEqual([]);
  });

  it('finds lower-case IBANs, hidden email addresses and cued bare phone numbers', () => {
    expect(found('iban de89370400440532013000 please')).toEqual(['iban:de89370400440532013000']);
    expect(found('write to anna.k [at] example [dot] com or bo(at)firma.net')).toEqual([
      'email:anna.k [at] example [dot] com',
      'email:bo(at)firma.net',
    ]);
    expect(found('ring me on 9876543210 after six')).toEqual(['phone:9876543210']);
    expect(found('Name;Telefon\nAnna Kowalska;9876543210')).toEqual([
      'name:Anna Kowalska',
      'phone:9876543210',
    ]);
    expect(found('order 4839201746 shipped; invoice 7719304821')).toEqual([]);
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

  it('reads a name column under a CSV header of 2 to 40 cells, not wider, not on one line', () => {
    const table = (cells: number) => {
      const header = [
        'Name',
        ...Array.from(
          { length: cells - 1 },
          (_, i) => `col${String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26))}`,
        ),
      ];
      const row = ['Okafor', ...Array.from({ length: cells - 1 }, () => 'x')];
      return `${header.join(';')}\n${row.join(';')}`;
    };
    expect(found(table(2), { types: ['name'] })).toEqual(['name:Okafor']);
    expect(found(table(40), { types: ['name'] })).toEqual(['name:Okafor']);
    expect(found(table(41), { types: ['name'] })).toEqual([]);
    expect(found(table(2).replace('\n', ' '), { types: ['name'] })).toEqual([]);
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
