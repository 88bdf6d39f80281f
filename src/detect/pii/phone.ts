import { before, isDigit, isWordCode, nextAt, PHONE_START_AT } from './chars.js';
import type { PiiFinding } from './types.js';

const MAX_CLUSTER_CHARS = 24;
const MAX_DIGITS = 15;
const CUE_WINDOW = 32;

/** Words that announce a phone number, across the languages we ship lexicons for. */
const PHONE_WORDS =
  'phone|tel\\b|tel\\.|tél|call|mobile|cell|fax|whats ?app|sms|text me|ring me|contact|reach me|telefon|teléfono|telefono|telephone|téléphone|telefone|handy|móvil|movil|celular|número|numero|nummer|portable|cellulare|telemóvel|telefoon|mobil|puhelin|sími|simu|nipigie|fóònù|fóónù|телефон|тел\\.|звон|номер|τηλέφωνο|τηλ\\.|καλέστε|טלפון|נייד|התקשר|هاتف|جوال|اتصل|تلفن|تماس|موبایل|फ़ोन|फोन|मोबाइल|कॉल|電話|携帯|手机|电话|拨打|전화|연락처|휴대폰|điện thoại|gọi|numara|arayın|číslo|ruf mich|anruf|appelez|appelle-moi|llámame|llamame|bel me|zadzwoń|dzwoń|звоните|позвони|numer|pè mí';
const CUE = new RegExp(`(?:${PHONE_WORDS})[^\\n]{0,24}$`);
/** A header line naming a phone column, for numbers in the CSV rows below it. */
const HEADER_CUE = new RegExp(
  `(?:^|[,;\\t|])[^,;\\t|\\n]{0,12}(?:${PHONE_WORDS})[^,;\\t|\\n]{0,12}(?:[,;\\t|]|$)`,
);

interface Cluster {
  start: number;
  end: number;
  digits: string;
  groups: number[];
  seps: string;
}

function isSep(c: number): boolean {
  return (
    c === 0x20 || c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29 || c === 0x2f || c === 0xa0
  );
}

/** A run of digits and separators starting at `start` (a digit, `+` or `(`), bounded. */
function readCluster(text: string, start: number): Cluster {
  let digits = '';
  let seps = '';
  const groups: number[] = [];
  let group = 0;
  let sepRun = 0;
  let end = start;
  const limit = Math.min(text.length, start + MAX_CLUSTER_CHARS);
  let i = text.charCodeAt(start) === 0x2b ? start + 1 : start;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (digits.length === MAX_DIGITS) break;
      digits += text[i];
      group++;
      sepRun = 0;
      end = i + 1;
    } else if (isSep(c) && sepRun < 2) {
      if (group > 0) groups.push(group);
      group = 0;
      if (!seps.includes(text[i] as string)) seps += text[i];
      sepRun++;
    } else break;
  }
  if (group > 0) groups.push(group);
  if (text[end] === ')' && text.lastIndexOf('(', end) >= start) end++;
  return { start, end, digits, groups, seps };
}

function isDateLike(c: Cluster): boolean {
  if (c.groups.length !== 3 || c.digits.length > 8) return false;
  const [a, b, d] = c.groups as [number, number, number];
  return (a === 4 && b <= 2 && d <= 2) || (a <= 2 && b <= 2 && (d === 4 || d === 2));
}

function isNanp(c: Cluster): boolean {
  const d = c.digits.startsWith('1') && c.digits.length === 11 ? c.digits.slice(1) : c.digits;
  if (d.length !== 10 || c.groups.length < 3) return false;
  const g = c.groups.slice(-3);
  const shaped = g[0] === 3 && g[1] === 3 && g[2] === 4;
  return shaped && d[0] !== '0' && d[0] !== '1' && d[3] !== '0' && d[3] !== '1';
}

function isNational(c: Cluster): boolean {
  const d = c.digits;
  if (c.groups.length < 2 || c.seps.includes('/')) return false;
  if (d[0] === '0' && d[1] !== '0' && d.length >= 9 && d.length <= 12) {
    return c.groups.every((g) => g >= 2 && g <= 8);
  }
  const g = c.groups.join('-');
  if (g === '3-4-4' && /^1[3-9]/.test(d)) return true; // CN mobile
  return g === '5-5' && /^[6-9]/.test(d); // IN mobile
}

/** `(11) 91234-5678` (BR) and other area codes in parentheses. */
function isParenthesised(text: string, c: Cluster): boolean {
  return text[c.start] === '(' && /^(?:2|3)-[345]-4$/.test(c.groups.join('-'));
}

function classify(text: string, c: Cluster): boolean {
  const n = c.digits.length;
  if (n < 7 || isDateLike(c)) return false;
  if (c.groups.length === 4 && c.seps === '.' && c.groups.every((g) => g <= 3)) return false;
  if (text.charCodeAt(c.start) === 0x2b) return n >= 8;
  if (/^00[1-9]/.test(c.digits) && n >= 10 && c.groups.length >= 2) return true;
  if (isNanp(c) || isNational(c) || isParenthesised(text, c)) return true;
  return CUE.test(before(text, c.start, CUE_WINDOW)) || isInPhoneColumn(text, c.start);
}

/** Whether the number sits in a CSV row under a header line that names a phone column. */
function isInPhoneColumn(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1);
  if (lineStart <= 0 || at - lineStart > 200) return false;
  const row = text.slice(lineStart + 1, at);
  if (!/[,;\t|]/.test(row)) return false;
  const headerStart = Math.max(text.lastIndexOf('\n', lineStart - 1) + 1, lineStart - 200);
  return HEADER_CUE.test(text.slice(headerStart, lineStart).toLowerCase());
}

function isStartAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  if (!(isDigit(c) || ((c === 0x2b || c === 0x28) && isDigit(next)))) return false;
  const prev = text.charCodeAt(i - 1);
  if (isWordCode(prev)) return false;
  // Inside a longer digit cluster (card or IBAN groups): only the cluster's start counts.
  if (isSep(prev) && isDigit(text.charCodeAt(i - 2))) return false;
  // Part of a larger token: 1.2.3, a/b, #123, $5, 10%, a-1, x=1.
  return !'-./#$€£@%_&=+'.includes(text[i - 1] ?? ' ');
}

/**
 * Phone numbers: international (`+` or `00`), North American, and national formats with a
 * trunk `0` (UK, DE, FR, IT, NL, ES, JP, …), plus any 7–15 digit cluster announced by a cue
 * word. Dates, dotted quads and digit runs inside larger tokens are skipped. Each cluster is
 * bounded, so the scan is linear.
 */
export function scanPhones(text: string, out: PiiFinding[]): void {
  for (let i = 0; i < text.length; i++) {
    i = nextAt(PHONE_START_AT, text, i);
    if (i === -1) return;
    if (!isStartAt(text, i)) continue;
    const c = readCluster(text, i);
    if (c.end > i && !isWordCode(text.charCodeAt(c.end)) && classify(text, c)) {
      out.push({ type: 'phone', start: c.start, end: c.end });
      i = c.end - 1;
      continue;
    }
    // Skip the rest of this digit run; a later start inside the cluster needs a space before it.
    while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++;
  }
}
