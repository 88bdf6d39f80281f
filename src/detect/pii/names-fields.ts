import { STOP } from './names-stop.js';
import {
  COMMON,
  FAMOUS,
  NAME_KEY_STEMS,
  NAME_KEYS_EXACT,
  NOT_NAME_KEY_STEMS,
} from './names-cues.js';
import type { PiiFinding } from './types.js';

/**
 * Names held in fields: JSON string values (`"holder": "…"`), `Key: value` lines (email
 * headers `From: Ana Souza <a@b.c>`, banking labels `Kontoinhaber: …`) and CSV/TSV columns
 * whose header names a person. The key is what marks the value, so this works for names no
 * lexicon knows and for scripts without capital letters; the value must still look like a
 * name (1–5 words of letters, capitalised where the script has case).
 */

const MAX_KEY = 40;
const MAX_VALUE = 80;

const keyCache = new Map<string, boolean>();

/** Whether a field name announces a person (`fullName`, `customer_name`, `Empfänger`, `To`). */
export function isNameKey(raw: string): boolean {
  const cached = keyCache.get(raw);
  if (cached !== undefined) return cached;
  const parts = raw
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{M}’']+/u)
    .filter((p) => p !== '');
  const key = parts.join('');
  const bare = key.normalize('NFD').replace(/\p{M}/gu, '');
  const has = (s: string) => key.includes(s) || bare.includes(s);
  const isNot = (s: string) => (s.length >= 4 ? has(s) : parts.includes(s));
  const yes =
    key !== '' &&
    (NAME_KEYS_EXACT.has(key) || NAME_KEY_STEMS.some(has)) &&
    !NOT_NAME_KEY_STEMS.some(isNot);
  if (keyCache.size < 4096) keyCache.set(raw, yes);
  return yes;
}

const NAME_WORD = /^[\p{L}\p{M}][\p{L}\p{M}'’.-]*$/u;
const INITIAL = /^\p{Lu}\.$/u;
const PARTICLE =
  /^(?:van|von|de|der|den|da|di|del|della|la|le|du|dos|das|do|ter|ten|bin|ibn|al|el|ben|bat|mac|ní|nic|ó|ua|zu|y|e)$/u;
const HAS_CASE = /[\p{Lu}\p{Ll}]/u;

/** Whether `value` reads as a person's name. */
export function isNameValue(value: string): boolean {
  if (value.length > 60 || (value.length < 2 && !/[\p{Script=Han}\p{Script=Hangul}]/u.test(value)))
    return false;
  const parts = value.split(/\s+/);
  if (parts.length > 5) return false;
  let letters = 0;
  let plain = 0;
  for (const p of parts) {
    if (!NAME_WORD.test(p)) return false;
    const lower = p.toLowerCase();
    if (!HAS_CASE.test(p)) {
      letters++;
      continue;
    }
    if (PARTICLE.test(p)) continue;
    if (!INITIAL.test(p) && !/^\p{Lu}/u.test(p)) return false;
    if (COMMON.has(lower) || FAMOUS.has(lower) || STOP.has(lower)) plain++;
    letters++;
  }
  return letters > 0 && plain < letters;
}

function push(out: PiiFinding[], text: string, start: number, end: number): void {
  let s = start;
  let e = end;
  while (s < e && /[\s"'“”«»<]/.test(text[s] as string)) s++;
  while (e > s && /[\s"'“”«»,;.]/.test(text[e - 1] as string)) e--;
  if (text[e - 1] === '.' && !/\s\p{Lu}\.$/u.test(text.slice(s, e))) e--;
  if (e > s && isNameValue(text.slice(s, e))) out.push({ type: 'name', start: s, end: e });
}

const JSON_PAIR = /"([^"\n\\]{1,40})"\s*:\s*"([^"\n\\]{1,80})"/g;

function scanJson(text: string, out: PiiFinding[], keys: PiiFinding[]): void {
  if (!text.includes('":')) return;
  JSON_PAIR.lastIndex = 0;
  for (let m = JSON_PAIR.exec(text); m !== null; m = JSON_PAIR.exec(text)) {
    if (!isNameKey(m[1] as string)) {
      JSON_PAIR.lastIndex = m.index + (m[1] as string).length + 2;
      continue;
    }
    keys.push({ type: 'key', start: m.index, end: m.index + (m[1] as string).length + 2 });
    const end = m.index + m[0].length - 1;
    push(out, text, end - (m[2] as string).length, end);
  }
}

/** A chat transcript line: `[09:14] Ana Souza: …` or `<Ana> …`; the speaker is a person. */
const CHAT_SPEAKER = /^(\[[0-9:. apmAPM-]{3,20}\][ \t]*|<)([^:<>\n]{1,40})(?::|>)/;

/** `Key: value` at the start of a line; an email address in angle brackets ends the value. */
function scanLines(text: string, out: PiiFinding[], keys: PiiFinding[]): void {
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineEnd = Math.min(end, start + MAX_KEY + MAX_VALUE + 2);
    const speaker = CHAT_SPEAKER.exec(text.slice(start, lineEnd));
    const colon = indexOfColon(text, start, Math.min(lineEnd, start + MAX_KEY + 1));
    if (speaker !== null) {
      const at = start + (speaker[1] as string).length;
      push(out, text, at, at + (speaker[2] as string).length);
    } else if (colon !== -1 && isNameKey(text.slice(start, colon))) {
      keys.push({ type: 'key', start, end: colon });
      let valueEnd = lineEnd;
      const angle = text.indexOf('<', colon);
      if (angle !== -1 && angle < valueEnd) valueEnd = angle;
      push(out, text, colon + 1, valueEnd);
    }
    start = end + 1;
  }
}

function indexOfColon(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === ':' || c === '：') return i;
    if (c === '"' || c === '{' || c === '[') return -1;
  }
  return -1;
}

const SEPARATORS = [',', ';', '\t', '|'];

/** Cells in the line after the newline at `nl` (a header needs a row of the same width). */
function nextLineCells(text: string, nl: number, sep: string): number {
  if (nl >= text.length) return 0;
  let end = text.indexOf('\n', nl + 1);
  if (end === -1 || end - nl > 2000) end = Math.min(text.length, nl + 2000);
  return text.slice(nl + 1, end).split(sep).length;
}

/** Occurrences of `sep` in `line`, counting stops past `max` (`line.split(sep).length - 1`). */
function countOf(line: string, sep: string, max: number): number {
  let n = 0;
  for (let at = line.indexOf(sep); at !== -1 && n <= max; at = line.indexOf(sep, at + 1)) n++;
  return n;
}

/** CSV/TSV: a header line naming a person column marks that column in the following rows. */
function scanCsv(text: string, out: PiiFinding[], keys: PiiFinding[]): void {
  // A header counts only above a row of its width: a single line (most prompts) has none.
  if (!text.includes('\n')) return;
  let cols: number[] = [];
  let sep = '';
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, Math.min(end, start + 2000));
    if (cols.length > 0 && line.includes(sep)) {
      let at = start;
      line.split(sep).forEach((cell, i) => {
        if (cols.includes(i)) push(out, text, at, at + cell.length);
        at += cell.length + 1;
      });
    } else {
      cols = [];
      // 2 to 40 cells, counted without splitting the line once per separator tried.
      sep =
        SEPARATORS.find((s) => {
          const n = countOf(line, s, 39);
          return n >= 1 && n <= 39;
        }) ?? '';
      if (sep !== '') {
        const cells = line.split(sep);
        const isHeader = cells.every(
          (c) => c.trim() !== '' && c.length <= MAX_KEY && !/[\d"':{}[\]<>=]/.test(c),
        );
        if (isHeader && nextLineCells(text, end, sep) === cells.length)
          cells.forEach((c, i) => {
            if (isNameKey(c)) cols.push(i);
          });
        if (cols.length > 0) keys.push({ type: 'key', start, end: start + line.length });
      }
    }
    start = end + 1;
  }
}

/**
 * Appends names found in fields to `out`, and to `keys` the spans of field names and header
 * lines (`"Jina":`, `Soyadı;Adı;Telefon`), which are never names themselves; `keys` comes
 * back sorted by start.
 */
export function scanNameFields(text: string, out: PiiFinding[], keys: PiiFinding[]): void {
  scanJson(text, out, keys);
  scanLines(text, out, keys);
  scanCsv(text, out, keys);
  keys.sort((a, b) => a.start - b.start);
}
