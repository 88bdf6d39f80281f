import { scanCards } from './card.js';
import { compileCustomRule, type CustomPiiRule } from './custom.js';
import { scanEmails } from './email.js';
import { scanIbans } from './iban.js';
import { scanIps } from './ip.js';
import { scanNames } from './names.js';
import { scanPhones } from './phone.js';
import { scanSsns } from './ssn.js';
import type { BuiltinPiiType, PiiFinding, PiiScan } from './types.js';

/**
 * Order is priority: when two findings overlap, the earlier detector wins (a card number is
 * not also a phone number; an email's local part is not a name).
 */
const BUILTIN_SCANS: readonly (readonly [BuiltinPiiType, PiiScan])[] = [
  ['email', scanEmails],
  ['card', scanCards],
  ['iban', scanIbans],
  ['ssn', scanSsns],
  ['ip', scanIps],
  ['phone', scanPhones],
  ['name', scanNames],
];

/**
 * Types whose every finding holds an ASCII digit: on text without one (most prose, most
 * windows of a reply) they are skipped after one shared test instead of a search each.
 */
const NEEDS_DIGIT: ReadonlySet<PiiScan> = new Set([scanCards, scanIbans, scanSsns, scanIps]);
const DIGIT = /[0-9]/;

export interface PiiDetectorOptions {
  /** Built-in types to look for; default all. */
  readonly types?: readonly BuiltinPiiType[];
  /** Custom rules; they take priority over the built-ins. */
  readonly custom?: readonly CustomPiiRule[];
}

export interface PiiDetector {
  readonly types: readonly string[];
  /** Non-overlapping findings ordered by offset. */
  find(text: string): PiiFinding[];
}

export function createPiiDetector(opts: PiiDetectorOptions = {}): PiiDetector {
  const wanted = new Set<string>(opts.types ?? BUILTIN_SCANS.map(([t]) => t));
  const scans: PiiScan[] = [
    ...(opts.custom ?? []).map(compileCustomRule),
    ...BUILTIN_SCANS.filter(([t]) => wanted.has(t)).map(([, scan]) => scan),
  ];
  const types = [
    ...(opts.custom ?? []).map((r) => r.name),
    ...BUILTIN_SCANS.filter(([t]) => wanted.has(t)).map(([t]) => t),
  ];
  const needsDigit = scans.some((scan) => NEEDS_DIGIT.has(scan));
  return {
    types,
    find(text: string): PiiFinding[] {
      if (scans.length === 0 || text.length === 0) return [];
      const ranked: { f: PiiFinding; p: number }[] = [];
      const hasDigit = !needsDigit || DIGIT.test(text);
      scans.forEach((scan, p) => {
        if (!hasDigit && NEEDS_DIGIT.has(scan)) return;
        const out: PiiFinding[] = [];
        scan(text, out);
        for (const f of out) ranked.push({ f, p });
      });
      return resolveOverlaps(ranked);
    },
  };
}

function resolveOverlaps(ranked: { f: PiiFinding; p: number }[]): PiiFinding[] {
  if (ranked.length <= 1) return ranked.map((r) => r.f);
  ranked.sort((a, b) => a.f.start - b.f.start || a.p - b.p);
  const kept: { f: PiiFinding; p: number }[] = [];
  for (const r of ranked) {
    const last = kept[kept.length - 1];
    if (last === undefined || r.f.start >= last.f.end) kept.push(r);
    else if (r.p < last.p) {
      kept.pop();
      while (kept.length > 0 && (kept[kept.length - 1] as { f: PiiFinding }).f.end > r.f.start)
        kept.pop();
      kept.push(r);
    }
  }
  return kept.map((r) => r.f);
}
