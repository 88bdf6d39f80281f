import { GIVEN_NAME_LISTS } from './names-given.js';
import { SURNAME_LISTS } from './names-surnames.js';
import type { PiiFinding } from './types.js';

/**
 * Person names, from context cues plus lexicons (no NLP model): a title (`Dr.`, `Frau`,
 * `Mme`), a greeting (`Dear`, `Hallo`, `Hola`), a field or introduction (`name:`,
 * `my name is`, `je m'appelle`), a sign-off (`Regards,`), or a given name from the lexicon,
 * extended over following surnames and name particles. Given names that are also common words
 * (Will, Grace, Ruby, Claude, …) need a cue or a lexicon surname after them.
 */

const toSet = (lists: readonly string[]) => new Set(lists.join(' ').split(' '));
const GIVEN = toSet(GIVEN_NAME_LISTS);
const SURNAMES = toSet(SURNAME_LISTS);

const AMBIGUOUS = new Set(
  (
    'will may june april august grace hope faith joy mark bill rose amber jack frank art summer ' +
    'page chase hunter sky dawn rich ray gene pat sue rob don guy jean penny ruby jade iris ivy ' +
    'lily daisy violet holly olive pearl crystal destiny harmony melody honey candy sandy misty ' +
    'brook river rain storm star king prince major ace max miles price reed wade cliff dean drew ' +
    'earl glen grant heath lane lee norm pierce ross rusty ward wes young autumn savannah ' +
    'brooklyn genesis kennedy willow paisley nova serenity quinn piper avery harper london paris ' +
    'sydney florence victoria austin jordan georgia virginia carolina dakota israel china india ' +
    'asia eden haven angel christian jesus jesús julia pascal claude alexa siri said can jan sun ' +
    'long min hong lan bo yu ma mercedes luz sol paz dolores blanca soledad consuelo esperanza ' +
    'madison lincoln charlotte regina otto heinz amar mai nam'
  ).split(' '),
);

const PARTICLES = new Set(
  'van von de der den da di del della la le du dos das ten ter bin ibn al el mc'.split(' '),
);

/** Capitalised words that follow a greeting or a cue but are not names. */
const STOP = new Set(
  (
    'i the a an and or but in on at to for from with by of is are was it we you he she they my ' +
    'your our their this that these those all everyone everybody there team sir madam ' +
    'customer world friend friends folks guys colleagues user support admin mom dad mum ' +
    'doctor professor manager assistant chatgpt gpt ai bot gemini copilot please thanks thank ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april ' +
    'june july august september october november december montag dienstag mittwoch ' +
    'donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche ' +
    'lunes martes miércoles jueves viernes sábado domingo inc ltd llc gmbh corp co street ' +
    'avenue road university hospital bank group company here again sorry yes no ok okay ' +
    'mr mrs ms mx dr prof herr frau fräulein monsieur madame mademoiselle mme mlle señor señora ' +
    'señorita sr sra srta signor signora sig dott senhor senhora meneer mevrouw dhr mevr ' +
    'good morning afternoon evening tutti todos alle leute tous siri alexa google claude'
  ).split(' '),
);

/** The word before a name that can start a cue; the full cue regex runs only then. */
const CUE_TAIL = new Set([
  "m'appelle",
  ...(
    'mr mrs ms miss mx dr prof sir dame lord lady herr frau monsieur madame mademoiselle mme ' +
    'mlle m señor señora señorita sr sra srta doña signor signora sig dott dottoressa senhor ' +
    'senhora pan pani meneer mevrouw dhr mevr hi hello hey dear hallo liebe lieber geehrte ' +
    'geehrter bonjour salut cher chère hola estimado estimada querido querida ciao gentile caro ' +
    'cara olá oi prezado prezada beste hoi cześć szanowny szanowna merhaba sayın привет ' +
    'уважаемый уважаемая name nom nombre nome naam imię имя patient customer client employee ' +
    'contact author signed from to cc attn attention is am appelle m’appelle heiße heisse llamo chiamo ' +
    'é ben zovut зовут adım regards sincerely cheers thanks best yours grüße gruß gruss ' +
    'cordialement saludos saluti atenciosamente groeten'
  ).split(' '),
]);

const TITLE =
  /(?:^|[^\p{L}])(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lord|lady|herr|frau|monsieur|madame|mademoiselle|mme|mlle|m\.|señor|señora|señorita|sr|sra|srta|doña|signor|signora|sig|dott|dottoressa|senhor|senhora|pan|pani|meneer|mevrouw|dhr|mevr)\.? $/u;
const GREETING =
  /(?:^|[^\p{L}])(?:hi|hello|hey|dear|hallo|liebe|lieber|geehrte|geehrter|bonjour|salut|cher|chère|hola|estimad[oa]|querid[oa]|ciao|gentile|caro|cara|olá|oi|prezad[oa]|beste|hoi|cześć|szanown[ya]|merhaba|sayın|привет|уважаем(?:ый|ая)) $/u;
const STRONG =
  /(?:(?:^|[^\p{L}])(?:name|nom|nombre|nome|naam|imię|имя|patient|customer|client|employee|contact|author|signed|attn|attention) ?[:=] ?|my name is |mein name ist |ich heiße |ich heisse |je m'appelle |me llamo |mi nombre es |mi chiamo |meu nome é |mijn naam is |nazywam się |меня зовут |benim adım |(?:regards|sincerely|cheers|thanks|best|yours|grüße|gruß|gruss|cordialement|saludos|saluti|atenciosamente|groeten)(?:, ?\n? ?|!? ?\n ?))$/u;

const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’-]{0,40}/gu;
const UPPER_START = /^\p{Lu}/u;
const LOWER_AFTER = /^\p{Lu}[\p{Ll}\p{M}'’-]/u;

interface Word {
  start: number;
  end: number;
  lower: string;
  isCapitalised: boolean;
}

function tokenize(text: string): Word[] {
  const words: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const w = m[0];
    words.push({
      start: m.index,
      end: m.index + w.length,
      lower: w.toLowerCase(),
      isCapitalised: w.length > 1 ? LOWER_AFTER.test(w) : UPPER_START.test(w),
    });
  }
  return words;
}

type Cue = 'title' | 'greeting' | 'strong' | undefined;

function cueBefore(text: string, words: Word[], i: number): Cue {
  const prev = words[i - 1];
  if (prev === undefined || !CUE_TAIL.has(prev.lower)) return undefined;
  const w = words[i] as Word;
  const window = text.slice(Math.max(0, w.start - 40), w.start).toLowerCase();
  if (TITLE.test(window)) return 'title';
  if (GREETING.test(window)) return 'greeting';
  return STRONG.test(window) ? 'strong' : undefined;
}

/** Whether word `j` directly follows word `j-1` (one space or hyphen between them). */
function isAdjacent(text: string, words: Word[], j: number): boolean {
  const a = words[j - 1] as Word;
  const b = words[j] as Word;
  const gap = text.slice(a.end, b.start);
  return gap === ' ' || gap === '-';
}

/** Last word index of the name starting at `i`: following surnames, capitalised words, particles. */
function extend(text: string, words: Word[], i: number, isLoose: boolean): number {
  let last = i;
  for (let j = i + 1; j < words.length && j - i < 4; j++) {
    if (!isAdjacent(text, words, j)) break;
    const w = words[j] as Word;
    if (PARTICLES.has(w.lower) && words[j + 1]?.isCapitalised === true) continue;
    if (!w.isCapitalised || STOP.has(w.lower)) break;
    if (!isLoose && !SURNAMES.has(w.lower)) break;
    last = j;
  }
  return last;
}

function decide(text: string, words: Word[], i: number): number {
  const w = words[i] as Word;
  if (!w.isCapitalised || STOP.has(w.lower)) return -1;
  const cue = cueBefore(text, words, i);
  const first = w.lower.split('-', 1)[0] as string;
  const isGiven = GIVEN.has(w.lower) || GIVEN.has(first) || AMBIGUOUS.has(w.lower);
  if (cue === 'title') return extend(text, words, i, true);
  if (cue !== undefined) return extend(text, words, i, true);
  if (!isGiven) return -1;
  if (!AMBIGUOUS.has(w.lower)) return extend(text, words, i, true);
  const last = extend(text, words, i, false);
  return last > i ? last : -1;
}

export function scanNames(text: string, out: PiiFinding[]): void {
  const words = tokenize(text);
  for (let i = 0; i < words.length; i++) {
    const last = decide(text, words, i);
    if (last === -1) continue;
    out.push({ type: 'name', start: (words[i] as Word).start, end: (words[last] as Word).end });
    i = last;
  }
}
