import type { CommandHelp, LazyCommand } from './command.js';

type Flag = readonly [string, string];

/** Flags shared by several commands, described once. */
export const CONFIG_HELP: readonly Flag[] = [
  ['-c, --config FILE', 'config file (default: $BASTION_CONFIG, else ./bastion.yaml)'],
];
export const JSON_HELP: Flag = [
  '--json',
  'print one JSON array of rows (see "Output" in the README)',
];
export const ADMIN_HELP: readonly Flag[] = [
  ...CONFIG_HELP,
  ['--admin-url URL', 'admin API (default: $BASTION_ADMIN_URL, else the configured control plane)'],
  JSON_HELP,
];
export const SCOPE_HELP: readonly Flag[] = [
  [
    '--models G1,G2',
    'model globs the key may use, e.g. gpt-4o*,claude-* (checked against the config)',
  ],
  ['--endpoints E1,E2', 'chat_completions, responses, embeddings, messages, models'],
  ['--providers P1,P2', 'provider ids the key may reach (checked against the config)'],
  ['--ip-ranges CIDR,...', 'client addresses allowed, e.g. 10.0.0.0/8'],
  ['--max-tokens N', 'cap on max_tokens per request'],
  ['--max-tokens-mode M', 'clamp (default) or refuse a request over --max-tokens'],
  ['--max-request-usd X', 'refuse a request whose worst-case cost is over X dollars'],
  ['--team T', 'team for limits and attribution; one of policy.teams'],
  ['--tier T', "end users' tier; one of policy.tiers"],
  ['--rps/--rpm/--rph N', 'requests per second / minute / hour'],
  ['--tpm N', 'tokens per minute'],
  ['--concurrency N', 'requests in flight at once'],
  ['--daily-budget-usd X', 'daily budget in dollars (also --monthly-budget-usd)'],
  ['--allow-unknown-team', 'accept a --team not in the config (attribution only, no limits)'],
  ['--allow-unmatched-models', 'accept --models globs that match no configured model'],
];

const HELP_FLAG: Flag = ['-h, --help', 'show this help'];

function table(rows: readonly Flag[], indent = '  '): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`).join('\n');
}

/** `bastion <name> --help`. */
export function commandHelp(name: string, help: CommandHelp): string {
  const parts = [
    `Usage: bastion ${name} ${help.usage ?? (help.flags === undefined ? '' : '[options]')}`.trimEnd(),
    help.summary,
    `Options:\n${table([...(help.flags ?? []), HELP_FLAG])}`,
  ];
  if (help.example !== undefined) parts.push(`Example:\n  ${help.example}`);
  return `${parts.join('\n\n')}\n`;
}

/** `bastion --help`, or `bastion keys --help` for the commands of one noun. */
export function listHelp(entries: readonly LazyCommand[], noun?: string): string {
  const rows = entries.map((e): Flag => [`bastion ${e.name}`, e.summary]);
  const head =
    noun === undefined
      ? 'Bastion: a security gateway for LLM APIs.\n\nUsage: bastion <command> [options]'
      : `Usage: bastion ${noun} <command> [options]`;
  return `${head}\n\nCommands:\n${table(rows)}\n\nRun 'bastion <command> --help' for its flags and an example.${noun === undefined ? "\n'bastion --version' prints the version." : ''}\n`;
}

/** The closest known word within a small edit distance, for "did you mean". */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
