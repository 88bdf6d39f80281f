import type { SecretRule } from './rule.js';
import { ASSIGNMENT_TAIL, hasUpperAndLower } from './validators.js';

/*
 * Provider credential formats. Each pattern starts at a distinctive literal or behind a
 * look-behind that refuses to start inside a longer token, so a run of token characters is
 * entered once, not at every offset. The `sk-proj-`/`sk-ant-`-style prefixes are distinctive
 * enough to need no look-behind: a key glued to a word (`xsk-proj-…`) is still a key.
 * Quantifiers are bounded (see pattern-check.ts).
 */

/** AI and cloud providers: OpenAI, Anthropic, Google, AWS, Azure. */
export const providerRules: readonly SecretRule[] = [
  {
    id: 'openai-project-key',
    title: 'OpenAI project or user API key (sk-proj-, sk-None-)',
    severity: 'high',
    keywords: ['sk-proj-', 'sk-none-'],
    pattern: /sk-(?:proj|None)-[A-Za-z0-9_-]{40,250}/dg,
    minEntropy: 4,
  },
  {
    id: 'openai-service-account-key',
    title: 'OpenAI service-account API key (sk-svcacct-)',
    severity: 'high',
    keywords: ['sk-svcacct-'],
    pattern: /sk-svcacct-[A-Za-z0-9_-]{40,250}/dg,
    minEntropy: 4,
  },
  {
    id: 'openai-admin-key',
    title: 'OpenAI admin API key (sk-admin-)',
    severity: 'high',
    keywords: ['sk-admin-'],
    pattern: /sk-admin-[A-Za-z0-9_-]{40,250}/dg,
    minEntropy: 4,
  },
  {
    id: 'openai-api-key',
    title: 'OpenAI legacy API key (sk-…T3BlbkFJ…)',
    severity: 'high',
    keywords: ['t3blbkfj'],
    pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9])/dg,
    minEntropy: 3.5,
  },
  {
    id: 'anthropic-api-key',
    title: 'Anthropic API or admin key (sk-ant-)',
    severity: 'high',
    keywords: ['sk-ant-'],
    pattern: /sk-ant-(?:api|admin|oat)[0-9]{2}-[A-Za-z0-9_-]{80,120}/dg,
    minEntropy: 4,
  },
  {
    id: 'google-api-key',
    title: 'Google API key (AIza…)',
    severity: 'high',
    keywords: ['aiza'],
    pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/dg,
    minEntropy: 3.5,
  },
  {
    id: 'google-oauth-client-secret',
    title: 'Google OAuth client secret (GOCSPX-)',
    severity: 'high',
    keywords: ['gocspx-'],
    pattern: /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/dg,
    minEntropy: 3.5,
  },
  {
    id: 'aws-access-key-id',
    title: 'AWS access key id (AKIA…, ASIA…)',
    severity: 'medium',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/dg,
    minEntropy: 3,
    companion: {
      ruleId: 'aws-secret-access-key',
      pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/dg,
      windowChars: 400,
      minEntropy: 4.2,
      validate: (m) => hasUpperAndLower(m.secret) && /[0-9/+]/.test(m.secret),
    },
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key (assigned, or beside its key id)',
    severity: 'high',
    keywords: [
      'aws_secret',
      'aws-secret',
      'aws.secret',
      'awssecret',
      'secret_access',
      'secret-access',
      'secret.access',
      'secretaccess',
    ],
    pattern: new RegExp(
      String.raw`(?:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)` +
        ASSIGNMENT_TAIL +
        String.raw`(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'dgi',
    ),
    minEntropy: 4,
    validate: (m) => hasUpperAndLower(m.secret),
  },
  {
    id: 'azure-storage-account-key',
    title: 'Azure storage account key (AccountKey=…)',
    severity: 'high',
    keywords: ['accountkey='],
    pattern: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/dg,
    minEntropy: 4.5,
  },
  {
    id: 'azure-ad-client-secret',
    title: 'Azure AD / Entra ID client secret (…Q~…)',
    severity: 'high',
    keywords: ['q~'],
    pattern:
      /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/dg,
    minEntropy: 3.5,
  },
  {
    id: 'azure-openai-key',
    title: 'Azure OpenAI / Cognitive Services key (assigned near "azure")',
    severity: 'high',
    keywords: ['azure'],
    pattern: new RegExp(
      String.raw`azure[A-Za-z0-9_.-]{0,24}(?:key|token|secret)[A-Za-z0-9_.-]{0,16}` +
        ASSIGNMENT_TAIL +
        String.raw`(?<secret>[a-f0-9]{32}|[A-Za-z0-9]{84})(?![A-Za-z0-9])`,
      'dgi',
    ),
    minEntropy: 3,
  },
  {
    id: 'azure-sas-token',
    title: 'Azure shared access signature (sv=…&sig=…)',
    severity: 'high',
    keywords: ['sig='],
    pattern: /[?&]sig=(?<secret>[A-Za-z0-9%+/]{40,120})/dg,
    minEntropy: 4,
    validate: (m) => /\bsv=[0-9]{4}-/.test(m.text.slice(Math.max(0, m.matchStart - 400), m.end)),
  },
];
