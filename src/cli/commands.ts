import type { LazyCommand } from './command.js';
import { tuneHeapForServing } from './heap.js';
import { ADMIN_HELP, CONFIG_HELP, JSON_HELP, SCOPE_HELP } from './help.js';

const AUDIT_FILTERS = [
  ['--key ID', 'only this virtual key'],
  ['--since 1h|ISO', 'from this time (a duration means that long ago)'],
  ['--until ISO', 'up to this time'],
  ['--status N', 'only this HTTP status, e.g. 429'],
] as const;
const KILL_TARGET = '<global | env NAME | provider ID | key ID|PREFIX>';

/**
 * Every command with its help, loaded only when it runs: `bastion scan` in a pre-commit hook
 * must not pay for loading the gateway, its stores and drivers, and `--help` loads nothing.
 */
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'serve',
    summary: 'Run the gateway (data plane and control plane).',
    flags: [
      ...CONFIG_HELP,
      ['--port N', 'data-plane port (config server.port)'],
      ['--host H', 'data-plane address (config server.host)'],
      ['--control-port N', 'control-plane port: admin API, /metrics (config controlPlane.port)'],
    ],
    example: 'bastion serve --config bastion.yaml --port 8080',
    load: async () => {
      // Before the gateway's modules load: the young generation must not have grown yet.
      tuneHeapForServing();
      return (await import('./commands/serve.js')).command;
    },
  },
  {
    name: 'keys create',
    summary: 'Issue a virtual key; the secret is printed once, on stdout.',
    usage: '--name NAME [options]',
    flags: [
      ['--name NAME', '1-64 letters, digits, "-", "_" or "."'],
      ['--env E', 'dev (default), staging, prod or ci'],
      ['--expires 30d|ISO', 'expiry, as a duration or a date'],
      ...SCOPE_HELP,
      ...CONFIG_HELP,
      ['--json', 'print the key and its record as one JSON object'],
    ],
    example: "bastion keys create --name checkout --env prod --models 'gpt-4o*' --rpm 600",
    load: async () => (await import('./commands/keys-create.js')).command,
  },
  {
    name: 'keys list',
    summary: 'List virtual keys (id, prefix, env, state); never the secrets.',
    flags: [...CONFIG_HELP, JSON_HELP],
    example: 'bastion keys list --config /etc/bastion/bastion.yaml',
    load: async () => (await import('./commands/keys-list.js')).command,
  },
  {
    name: 'keys review',
    summary:
      'Access review: keys unused, without expiry, allowed every model, open in prod, old, or orphaned (exit 1 if any).',
    flags: [
      ['--unused-days N', 'unused for this many days (default 30)'],
      ['--max-age-days N', 'older than this many days (default 90)'],
      ...CONFIG_HELP,
      JSON_HELP,
    ],
    example: 'bastion keys review --unused-days 14 --json',
    load: async () => (await import('./commands/keys-review.js')).command,
  },
  {
    name: 'keys revoke',
    summary: 'Revoke a virtual key; refused at once by gateways sharing the store.',
    usage: '<id|prefix>',
    flags: CONFIG_HELP,
    example: 'bastion keys revoke bk_prod_Ab12',
    load: async () => (await import('./commands/keys-revoke.js')).command,
  },
  {
    name: 'keys scopes',
    summary: "Replace a key's scopes through the admin API (live on every replica).",
    usage: '<id|prefix> [scope flags]',
    flags: [...SCOPE_HELP, ...ADMIN_HELP],
    example: "bastion keys scopes bk_prod_Ab12 --models 'gpt-4o*' --daily-budget-usd 5",
    load: async () => (await import('./commands/keys-scopes.js')).command,
  },
  {
    name: 'budgets list',
    summary: "Every budget (key, team, environment, global) with this window's spend.",
    flags: ADMIN_HELP,
    example: 'bastion budgets list --json',
    load: async () => (await import('./commands/budgets-list.js')).command,
  },
  {
    name: 'usage show',
    summary: 'Settled spend per key, user, team and environment (from the audit log).',
    flags: [['--since 7d|ISO', 'from this time (default: the start of this month)'], ...ADMIN_HELP],
    example: 'bastion usage show --since 7d',
    load: async () => (await import('./commands/usage-show.js')).command,
  },
  {
    name: 'alerts list',
    summary: 'Budget alerts raised (50 / 80 / 100 %), newest first.',
    flags: [['--limit N', 'at most N alerts (default 100)'], ...ADMIN_HELP],
    example: 'bastion alerts list --limit 20',
    load: async () => (await import('./commands/alerts-list.js')).command,
  },
  {
    name: 'killswitch set',
    summary: 'Stop traffic at once on every replica: everything, an environment, provider or key.',
    usage: `${KILL_TARGET} --reason TEXT`,
    flags: [['--reason TEXT', 'why (required; audited with your $USER)'], ...ADMIN_HELP],
    example: "bastion killswitch set provider openai --reason 'cost spike'",
    load: async () => (await import('./commands/killswitch-set.js')).command,
  },
  {
    name: 'killswitch clear',
    summary: 'Release a kill switch; traffic resumes on every replica within a second.',
    usage: KILL_TARGET,
    flags: ADMIN_HELP,
    example: 'bastion killswitch clear provider openai',
    load: async () => (await import('./commands/killswitch-clear.js')).command,
  },
  {
    name: 'killswitch list',
    summary: 'Engaged kill switches, with who pulled them, when and why.',
    flags: ADMIN_HELP,
    example: 'bastion killswitch list',
    load: async () => (await import('./commands/killswitch-list.js')).command,
  },
  {
    name: 'providers list',
    summary: "A provider's upstream keys on the running gateway: state, weight, age, breaker.",
    usage: '<provider>',
    flags: ADMIN_HELP,
    example: 'bastion providers list openai',
    load: async () => (await import('./commands/providers-list.js')).command,
  },
  {
    name: 'providers rotate',
    summary: 'Rotate a provider key on the live gateway: add → shift → drain → revoke → verify.',
    usage: '<provider> --new REF [options]',
    flags: [
      ['--new REF', 'the new key as a reference: env:NAME, file:/path or vault:NAME'],
      ['--label L', 'label of the new key (default: <provider>-<time>)'],
      ['--old L', 'the key(s) it replaces (default: every active key); repeatable'],
      ['--steps 10,50', 'traffic percentages before the cut-over'],
      ['--min-successes 10', 'completed successful calls on the new key that pass a step'],
      ['--step-wait 2m', 'longest wait for them at each step (then it rolls back)'],
      ['--drain-timeout 2m', 'longest wait for in-flight calls on the old keys'],
      ...ADMIN_HELP,
    ],
    example: 'bastion providers rotate openai --new env:OPENAI_API_KEY_NEW',
    load: async () => (await import('./commands/providers-rotate.js')).command,
  },
  {
    name: 'providers verify',
    summary: 'From the audit log: did an upstream key carry a request since a time? (exit 1 if so)',
    usage: '<provider> --key LABEL --since ISO|1h',
    flags: [
      ['--key LABEL', 'the upstream key label'],
      ['--since ISO|1h', 'from this time'],
      ...ADMIN_HELP,
    ],
    example: 'bastion providers verify openai --key openai-old --since 1h',
    load: async () => (await import('./commands/providers-verify.js')).command,
  },
  {
    name: 'audit tail',
    summary: 'The latest audit records, oldest first; --follow keeps printing new ones.',
    flags: [
      ['--limit N', 'records to show (default 20)'],
      ['-f, --follow', 'keep printing new records'],
      ...AUDIT_FILTERS,
      ...CONFIG_HELP,
      JSON_HELP,
    ],
    example: 'bastion audit tail --status 429 --follow',
    load: async () => (await import('./commands/audit-tail.js')).command,
  },
  {
    name: 'audit query',
    summary: 'Query the audit log, newest first.',
    flags: [
      ['--limit N', 'at most N records (default 100)'],
      ...AUDIT_FILTERS,
      ...CONFIG_HELP,
      JSON_HELP,
    ],
    example: 'bastion audit query --key key_01H… --since 1d --json',
    load: async () => (await import('./commands/audit-query.js')).command,
  },
  {
    name: 'audit verify',
    summary: 'Verify the audit hash chains. Exit 0 intact, 1 tampering found, 2 could not verify.',
    flags: [
      ['--since 1h|ISO', 'only records from this time'],
      ['--heads LOGFILE', 'also check the audit_chain_head lines of a gateway log'],
      ['--archive FILE', 'verify an archive written by bastion audit archive instead of the store'],
      ...CONFIG_HELP,
      JSON_HELP,
    ],
    example: 'bastion audit verify --since 7d --heads gateway.log',
    load: async () => (await import('./commands/audit-verify.js')).command,
  },
  {
    name: 'audit archive',
    summary:
      'Archive audit rows older than the cut to a verified gzip JSON-lines file, then delete them from the store.',
    flags: [
      ['--before 90d|ISO', 'the cut (default: audit.retention.maxAgeDays)'],
      ['--dir DIR', 'where the archive goes (default: audit.retention.archiveDir)'],
      ...CONFIG_HELP,
      JSON_HELP,
    ],
    example: 'bastion audit archive --before 90d',
    load: async () => (await import('./commands/audit-archive.js')).command,
  },
  {
    name: 'config check',
    summary:
      'Validate the configuration and print the effective settings (secrets stay references).',
    flags: CONFIG_HELP,
    example: 'bastion config check --config bastion.yaml',
    load: async () => (await import('./commands/config-check.js')).command,
  },
  {
    name: 'config schema',
    summary: 'Print the JSON schema of bastion.yaml (for editors).',
    example: 'bastion config schema > bastion.schema.json',
    load: async () => (await import('./commands/config-schema.js')).command,
  },
  {
    name: 'doctor',
    summary: 'Check config, secrets, stores, Redis, providers and exposure before serving.',
    load: async () => (await import('./commands/doctor.js')).command,
  },
  {
    name: 'mock-provider',
    summary: 'Run the mock LLM provider (OpenAI + Anthropic wire formats, fault injection).',
    flags: [
      ['--port N', 'port, 0-65535 (default 9000; 0 picks a free one)'],
      ['--host H', 'address (default 127.0.0.1)'],
      ['--api-key K', 'accept only this key; repeatable (default: any)'],
    ],
    example: 'bastion mock-provider --port 9000',
    load: async () => (await import('./commands/mock-provider.js')).command,
  },
  {
    name: 'scan',
    summary: 'Find credentials in files, staged changes, git history or logs.',
    load: async () => (await import('./commands/scan.js')).command,
  },
  {
    name: 'hook install',
    summary: 'Install a git pre-commit hook that blocks commits adding secrets.',
    load: async () => (await import('./commands/hook-install.js')).command,
  },
  {
    name: 'hook uninstall',
    summary: 'Remove the pre-commit hook that `bastion hook install` added.',
    load: async () => (await import('./commands/hook-uninstall.js')).command,
  },
  {
    name: 'vault put',
    summary: 'Store a secret in the encrypted local vault; the value is read from stdin.',
    usage: 'NAME',
    flags: CONFIG_HELP,
    example: 'printf %s "$OPENAI_API_KEY" | bastion vault put openai-prod',
    load: async () => (await import('./commands/vault-put.js')).command,
  },
  {
    name: 'vault list',
    summary: 'List the names in the encrypted local vault (never the values).',
    flags: [...CONFIG_HELP, JSON_HELP],
    example: 'bastion vault list',
    load: async () => (await import('./commands/vault-list.js')).command,
  },
  {
    name: 'vault rm',
    summary: 'Remove a secret from the encrypted local vault.',
    usage: 'NAME',
    flags: CONFIG_HELP,
    example: 'bastion vault rm openai-old',
    load: async () => (await import('./commands/vault-rm.js')).command,
  },
];
