import type { InjectionRule } from './rules.js';

/**
 * The common injection phrasings in other languages: "ignore the previous instructions" and
 * "show your system prompt". Same shape and bounds as the English rules.
 */
const G = (n: number) => `(?:\\S+ ){0,${n}}?`;
const C = (n: number) => `\\S{0,${n}}?`;
const r = (source: string) => new RegExp(source, 'u');

export const INTL_INJECTION_RULES: readonly InjectionRule[] = [
  {
    id: 'ignore-previous-fr',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignore', 'ignorez', 'ignorer', 'oublie', 'oubliez', 'oublier', 'compte'],
    pattern: r(
      `\\b(?:ignore[rz]?|oublie[rz]?|ne tien[sn]e?z? pas compte d)\\S{0,3} ${G(3)}(?:instructions|consignes|règles|directives|indications) ${G(2)}(?:précédentes|antérieures|ci-dessus|initiales|d'avant)`,
    ),
  },
  {
    id: 'ignore-previous-de',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignoriere', 'ignorieren', 'ignorier', 'vergiss', 'vergessen', 'missachte'],
    pattern: r(
      `\\b(?:ignorier(?:e|en sie)?|vergiss|vergessen sie|missachte) ${G(3)}(?:vorherigen|bisherigen|obigen|vorigen|früheren|ursprünglichen|alle) ${G(1)}(?:anweisungen|instruktionen|regeln|befehle|vorgaben)`,
    ),
  },
  {
    id: 'ignore-previous-es',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignora', 'ignore', 'olvida', 'olvide', 'omite', 'descarta'],
    pattern: r(
      `\\b(?:ignora|ignore|olvida|olvide|omite|descarta)\\S{0,3} ${G(3)}(?:instrucciones|reglas|indicaciones|órdenes) ${G(2)}(?:anteriores|previas|de arriba|iniciales)`,
    ),
  },
  {
    id: 'ignore-previous-it',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignora', 'dimentica', 'trascura'],
    pattern: r(
      `\\b(?:ignora|dimentica|trascura)\\S{0,3} ${G(3)}(?:istruzioni|regole|indicazioni) ${G(2)}(?:precedenti|sopra|iniziali)`,
    ),
  },
  {
    id: 'ignore-previous-pt',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignore', 'ignora', 'esqueça', 'esqueca', 'desconsidere'],
    pattern: r(
      `\\b(?:ignore|ignora|esqueça|esqueca|desconsidere) ${G(3)}(?:instruções|instrucoes|regras|orientações) ${G(2)}(?:anteriores|acima|prévias)`,
    ),
  },
  {
    id: 'ignore-previous-nl',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['negeer', 'vergeet'],
    pattern: r(
      `\\b(?:negeer|vergeet) ${G(3)}(?:vorige|eerdere|voorgaande|bovenstaande) (?:instructies|regels|opdrachten)`,
    ),
  },
  {
    id: 'ignore-previous-pl',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignoruj', 'zignoruj', 'zapomnij'],
    pattern: r(
      `\\b(?:zignoruj|ignoruj|zapomnij) ${G(3)}(?:poprzednie|wcześniejsze|powyższe) (?:instrukcje|polecenia|zasady)`,
    ),
  },
  {
    id: 'ignore-previous-ru',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['игнорир', 'забудь', 'проигнорир'],
    pattern: r(
      `(?:игнорируй|игнорируйте|забудь|забудьте|проигнорируй) ${G(3)}(?:предыдущие|прошлые|прежние|все|вышеуказанные) ${G(1)}(?:инструкции|указания|правила|команды)`,
    ),
  },
  {
    id: 'ignore-previous-zh',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['忽略', '无视', '忽视', '不要理会', '忘记', '忽略'],
    pattern: r(
      `(?:忽略|无视|忽视|不要理会|忘记|忘掉)${C(6)}(?:之前|以上|上面|先前|前面|所有)${C(4)}(?:指令|指示|说明|规则|提示)`,
    ),
  },
  {
    id: 'ignore-previous-ja',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['無視', '忘れ'],
    pattern: r(`(?:以前|前|上記|これまで)の${C(4)}(?:指示|命令|ルール)${C(4)}(?:無視|忘れ)`),
  },
  {
    id: 'ignore-previous-ko',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['무시', '잊어'],
    pattern: r(`(?:이전|위의|앞의) ?${G(2)}(?:지시|명령|지침)${C(4)} ?${G(2)}(?:무시|잊어)`),
  },
  {
    id: 'ignore-previous-ar',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['تجاهل', 'انس'],
    pattern: r(`(?:تجاهل|انس) ${G(3)}(?:التعليمات|الأوامر|القواعد) ${G(1)}(?:السابقة)`),
  },
  {
    id: 'ignore-previous-tr',
    category: 'instruction_override',
    weight: 0.85,
    // Folded text: the dotless ı has become i.
    keywords: ['önceki', 'yukaridaki'],
    pattern: r(
      `(?:önceki|yukaridaki) ${G(2)}(?:talimatlari|kurallari|komutlari) ${G(1)}(?:yok say|görmezden gel|unut)`,
    ),
  },
  {
    id: 'ignore-previous-hi',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['निर्देश'],
    pattern: r(
      `(?:पिछले|पिछली|पूर्व|सभी) ${G(2)}(?:निर्देशों|निर्देश) ${G(2)}(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)`,
    ),
  },
  {
    id: 'reveal-system-prompt-intl',
    category: 'system_prompt_extraction',
    weight: 0.8,
    keywords: [
      'prompt',
      'anweisungen',
      'instrucciones',
      'istruzioni',
      'instruções',
      'instructions',
      'системн',
      '系统',
      'システム',
    ],
    pattern: r(
      `\\b(?:montre|affiche|révèle|donne|répète|zeige|gib|verrate|nenne|wiederhole|muestra|revela|dime|repite|mostra|rivela|dimmi|ripeti|mostre|revele|diga)\\S{0,4} ${G(3)}(?:prompt|instructions|anweisungen|instrucciones|istruzioni|instruções|consignes) ${G(1)}(?:système|systeme|system|del sistema|di sistema|do sistema|initiales|iniziali|iniciales|versteckten|cachées|ocultas|nascoste|originales)|(?:покажи|выведи|раскрой|повтори) ${G(2)}(?:системн\\S{0,4}) (?:промпт|инструкции|подсказку)|(?:显示|输出|告诉我|打印|重复)${C(6)}(?:系统提示|系统指令|初始指令|系统消息)|システムプロンプト${C(4)}(?:教え|表示|見せ|出力)`,
    ),
  },
];
