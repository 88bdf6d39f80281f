/**
 * Phrase rules for prompt-injection screening. They run on folded text (NFKC, lower case,
 * look-alikes folded, single spaces), only when one of their keywords occurs. Gaps between
 * words are bounded (`(?:\S+ ){0,3}`), so each start position does bounded work.
 */

export type InjectionCategory =
  | 'instruction_override'
  | 'role_hijack'
  | 'system_prompt_extraction'
  | 'fake_delimiter'
  | 'encoded_payload'
  | 'invisible_smuggling'
  | 'markdown_exfiltration'
  /** The learned model alone scored it 0.5 or more (scripts/train-injection.js). */
  | 'learned';

export interface InjectionRule {
  readonly id: string;
  readonly category: InjectionCategory;
  /** Contribution to the score, 0..1; scores combine as 1 − Π(1 − w). */
  readonly weight: number;
  /**
   * Literals (folded); the pattern runs only when one occurs. ASCII words are matched as
   * whole words (list each inflection), phrases by their longest word, anything else
   * (symbols, other scripts) as a substring.
   */
  readonly keywords: readonly string[];
  readonly pattern: RegExp;
}

const G = (n: number) => `(?:\\S+ ){0,${n}}?`;
const r = (source: string) => new RegExp(source, 'u');

const PRIOR =
  '(?:previous|prior|above|earlier|preceding|former|original|initial|all|any|your|the|system|developer|safety|these|those)';
const RULES_OBJ =
  '(?:instructions?|prompts?|rules|directives?|guidelines|directions|commands|orders|constraints|restrictions|programming|guardrails|policies|system prompt)';

export const INJECTION_RULES: readonly InjectionRule[] = [
  // instruction override
  {
    id: 'ignore-previous',
    category: 'instruction_override',
    weight: 0.85,
    keywords: ['ignore', 'disregard', 'forget', 'overlook', 'abandon'],
    pattern: r(
      `\\b(?:ignore|disregard|forget|overlook|abandon)\\b ${G(4)}${PRIOR}\\b ${G(3)}${RULES_OBJ}\\b`,
    ),
  },
  {
    id: 'override-safety',
    category: 'instruction_override',
    weight: 0.75,
    keywords: ['override', 'bypass'],
    pattern: r(
      `\\b(?:override|bypass)\\b ${G(2)}(?:your|the system'?s?|all|any|the) ${G(1)}(?:safety |security |content |ethical )?(?:instructions|guidelines|programming|guardrails|restrictions|filters|polic(?:y|ies)|system prompt)\\b`,
    ),
  },
  {
    id: 'obey-user',
    category: 'instruction_override',
    weight: 0.5,
    keywords: ['obey', 'comply'],
    pattern: r(
      `\\byou (?:must|will|shall) (?:now )?(?:only )?(?:obey|comply with) (?:only )?(?:me|the user|my (?:instructions|commands|orders))\\b`,
    ),
  },
  {
    id: 'forget-everything',
    category: 'instruction_override',
    weight: 0.6,
    keywords: ['forget everything', 'forget all'],
    pattern: r(
      `\\bforget (?:everything|all)(?: (?:above|before|you (?:were|have been) told|that came before))?\\b`,
    ),
  },
  {
    id: 'do-not-follow',
    category: 'instruction_override',
    weight: 0.75,
    keywords: ['follow', 'following', 'obey', 'obeying', 'comply', 'complying', 'listen to'],
    pattern: r(
      `\\b(?:do not|don't|never|stop) (?:follow|obey|listen to|comply with)(?:ing)? ${G(2)}(?:instructions|rules|guidelines|system prompt|developer|your programming)`,
    ),
  },
  {
    id: 'new-instructions',
    category: 'instruction_override',
    weight: 0.5,
    keywords: ['instructions', 'task', 'directive'],
    pattern: r(
      `\\b(?:new|updated|real|actual|true|revised|secret) (?:instructions?|task|directives?|rules)\\b ?:`,
    ),
  },
  {
    id: 'from-now-on',
    category: 'instruction_override',
    weight: 0.35,
    keywords: ['from now on'],
    pattern: r(
      `\\bfrom now on,? (?:you (?:will|must|shall|are|should)|always|only|never|ignore|respond)\\b`,
    ),
  },
  // role hijack
  {
    id: 'you-are-now',
    category: 'role_hijack',
    weight: 0.6,
    keywords: ['you are', "you're"],
    pattern: r(
      `\\b(?:you are|you're) (?:now|no longer) (?:an? |the )?${G(3)}(?:ai|assistant|model|chatbot|bound|restricted|limited|dan|jailbroken|unfiltered|uncensored|evil|free|unrestricted)\\b`,
    ),
  },
  {
    id: 'act-as-unrestricted',
    category: 'role_hijack',
    weight: 0.8,
    keywords: [
      'act',
      'acting',
      'behave',
      'pretend',
      'pretending',
      'roleplay',
      'role',
      'play',
      'playing',
      'respond',
    ],
    pattern: r(
      `\\b(?:act|behave|respond|roleplay|role-play|pretend|play)(?:ing)? (?:as|like|to be|you are|that you are) (?:an? |the )?${G(2)}(?:unrestricted|unfiltered|uncensored|jailbroken|evil|malicious|unethical|dan|amoral|immoral|ai without|model without|assistant without)\\b`,
    ),
  },
  {
    id: 'ai-without-limits',
    category: 'role_hijack',
    weight: 0.7,
    keywords: ['without', 'with no', 'free of'],
    pattern: r(
      `\\b(?:as|you are|be) an? (?:ai|assistant|model|chatbot|llm) (?:without|with no|free of) (?:any )?(?:restrictions|limits|limitations|filters|rules|guidelines|censorship)\\b`,
    ),
  },
  {
    id: 'dan',
    category: 'role_hijack',
    weight: 0.8,
    keywords: ['do anything now'],
    pattern: r(`\\bdo anything now\\b`),
  },
  {
    id: 'jailbreak',
    category: 'role_hijack',
    weight: 0.45,
    keywords: ['jailbreak', 'jailbroken', 'jailbreaking', 'jailbreaks'],
    pattern: r(`\\bjailbr(?:eak|oken|eaking)\\b`),
  },
  {
    id: 'special-mode',
    category: 'role_hijack',
    weight: 0.4,
    keywords: ['mode'],
    pattern: r(`\\b(?:developer|god|dan|jailbreak|unrestricted|unfiltered|evil|chaos) mode\\b`),
  },
  {
    id: 'no-restrictions',
    category: 'role_hijack',
    weight: 0.35,
    keywords: [
      'restrictions',
      'filters',
      'censorship',
      'limitations',
      'guidelines',
      'ethical',
      'moral',
    ],
    pattern: r(
      `\\b(?:no|without|free of|free from|not bound by|unbound by) ${G(2)}(?:restrictions|limitations|filters|censorship|guidelines|ethical|moral|safety) ${G(2)}(?:apply|at all|whatsoever|anymore|constraints|guidelines|rules|filters)\\b`,
    ),
  },
  {
    id: 'fake-authority',
    category: 'role_hijack',
    weight: 0.55,
    keywords: [
      'developer',
      'creator',
      'admin',
      'owner',
      'operator',
      'override',
      'command',
      'freed',
      'liberated',
      'unlocked',
      'released',
    ],
    pattern: r(
      `\\b(?:i am|i'm|this is|message from) (?:your|the) (?:developer|creator|admin|administrator|owner|operator|system administrator)s?\\b|\\b(?:system|admin|developer|root|sudo) override\\b|\\b(?:system|admin|developer|root) (?:command|instruction)s? ?:|\\byou (?:have|are) (?:been )?(?:freed|liberated|unlocked|released)\\b`,
    ),
  },
  // system prompt extraction
  {
    id: 'reveal-system-prompt',
    category: 'system_prompt_extraction',
    weight: 0.85,
    keywords: [
      'prompt',
      'instructions',
      'message',
      'rules',
      'guidelines',
      'directives',
      'configuration',
    ],
    pattern: r(
      `\\b(?:reveal|show|print|display|output|repeat|tell me|give me|share|leak|dump|expose|recite|write out|spell out|what (?:is|are|was|were))\\b ${G(3)}(?:(?:your|the|its) ${G(1)}(?:system|initial|hidden|secret|original|internal|developer|confidential|pre-?)[ -]?(?:prompt|instructions|message|rules|guidelines|directives|configuration)|(?:your|its) (?:prompt|instructions|system message|configuration|guidelines))\\b`,
    ),
  },
  {
    id: 'repeat-above',
    category: 'system_prompt_extraction',
    weight: 0.7,
    keywords: ['above', 'verbatim', 'so far', 'before this'],
    pattern: r(
      `\\b(?:repeat|print|output|copy|reproduce|recite|write)\\b ${G(3)}(?:everything|all|the text|the words|words|text|content|instructions) ${G(2)}(?:above|before this|so far|verbatim|preceding)\\b`,
    ),
  },
  {
    id: 'what-were-you-told',
    category: 'system_prompt_extraction',
    weight: 0.6,
    keywords: ['told', 'instructed', 'programmed'],
    pattern: r(`\\bwhat (?:were|are|have) you (?:been )?(?:told|instructed|programmed)\\b`),
  },
  // fake delimiters and chat-template tokens
  {
    id: 'chat-template-token',
    category: 'fake_delimiter',
    weight: 0.9,
    keywords: [
      '<|',
      '[inst]',
      '[/inst]',
      '<<sys>>',
      '<</sys>>',
      '<start_of_turn>',
      '<end_of_turn>',
    ],
    pattern: r(
      `<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|fim_\\w{1,10})\\|>|\\[\\/?inst\\]|<<\\/?sys>>|<(?:start|end)_of_turn>`,
    ),
  },
  {
    id: 'role-tag',
    category: 'fake_delimiter',
    weight: 0.6,
    keywords: [
      '<system',
      '</system',
      '<instruction',
      '</instruction',
      '<admin',
      '<developer',
      '"role"',
    ],
    pattern: r(
      `<\\/?(?:system|instructions?|admin|developer)(?:[_-]prompt|[_-]message)?>|\\{ ?"role" ?: ?"(?:system|developer)"`,
    ),
  },
  {
    id: 'turn-label',
    category: 'fake_delimiter',
    weight: 0.45,
    keywords: ['system', 'assistant', 'instruction', 'human', 'developer'],
    pattern: r(
      `(?:^|\\n)(?:#{1,4} ?)?(?:system|assistant|developer|human|instruction|system prompt|system message)(?: prompt| message)? ?: ?\\S`,
    ),
  },
  {
    id: 'end-of-input',
    category: 'fake_delimiter',
    weight: 0.55,
    keywords: ['end of', 'begin', 'start of'],
    pattern: r(
      `(?:[-=#*\\[<]{2,} ?|\\b)(?:end|begin|start) of (?:the )?(?:system prompt|user input|user message|instructions|prompt|context|document)\\b ?[-=#*\\]>]{2,}`,
    ),
  },
  // markdown exfiltration
  {
    id: 'image-with-query',
    category: 'markdown_exfiltration',
    weight: 0.45,
    keywords: ['!['],
    pattern: r(`!\\[[^\\]\\n]{0,200}\\]\\( ?https?:\\/\\/[^)\\s?]{1,300}\\?[^)\\s]{0,300}\\)`),
  },
  {
    id: 'image-with-data-query',
    category: 'markdown_exfiltration',
    weight: 0.65,
    keywords: ['!['],
    pattern: r(
      `!\\[[^\\]\\n]{0,200}\\]\\( ?https?:\\/\\/[^)\\s?]{1,300}\\?[^)\\s]{0,300}?(?:\\{|%7b|\\$|<|\\b(?:data|secret|conversation|history|chat|email|password|token|key|prompt|ssn|card)\\b)`,
    ),
  },
  {
    id: 'exfil-instruction',
    category: 'markdown_exfiltration',
    weight: 0.7,
    keywords: ['url', 'link', 'image', 'query', 'parameter'],
    pattern: r(
      `\\b(?:append|add|include|insert|encode|put|embed|send)\\b ${G(6)}(?:conversation|chat history|previous messages|user'?s? (?:data|info|messages|email)|secrets?|passwords?|api keys?|system prompt|the data|personal data|credentials)\\b ${G(6)}(?:url|link|image|query string|query parameter|parameter)s?\\b`,
    ),
  },
  {
    id: 'render-image-url',
    category: 'markdown_exfiltration',
    weight: 0.35,
    keywords: ['image'],
    pattern: r(
      `\\b(?:render|display|show|output|include|print)\\b ${G(3)}(?:markdown )?image\\b ${G(6)}https?:`,
    ),
  },
  // encoded payloads
  {
    id: 'decode-and-follow',
    category: 'encoded_payload',
    weight: 0.6,
    keywords: ['decode', 'base64', 'rot13', 'rot', 'hex', 'decrypt'],
    pattern: r(
      `\\b(?:decode|decrypt|base64|rot-?13|hex)\\b ${G(5)}(?:and|then) ${G(2)}(?:follow|execute|run|do|obey|perform|carry out)\\b`,
    ),
  },
];
