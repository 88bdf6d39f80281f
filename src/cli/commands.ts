import type { LazyCommand } from './command.js';

/**
 * Every command, loaded only when it runs: `bastion scan` in a pre-commit hook must not pay for
 * loading the gateway, its stores and drivers.
 */
export const COMMANDS: readonly LazyCommand[] = [
  { name: 'serve', load: async () => (await import('./commands/serve.js')).command },
  { name: 'keys create', load: async () => (await import('./commands/keys-create.js')).command },
  { name: 'keys list', load: async () => (await import('./commands/keys-list.js')).command },
  { name: 'keys revoke', load: async () => (await import('./commands/keys-revoke.js')).command },
  { name: 'keys scopes', load: async () => (await import('./commands/keys-scopes.js')).command },
  { name: 'budgets list', load: async () => (await import('./commands/budgets-list.js')).command },
  { name: 'usage show', load: async () => (await import('./commands/usage-show.js')).command },
  { name: 'alerts list', load: async () => (await import('./commands/alerts-list.js')).command },
  {
    name: 'killswitch set',
    load: async () => (await import('./commands/killswitch-set.js')).command,
  },
  {
    name: 'killswitch clear',
    load: async () => (await import('./commands/killswitch-clear.js')).command,
  },
  {
    name: 'killswitch list',
    load: async () => (await import('./commands/killswitch-list.js')).command,
  },
  {
    name: 'providers list',
    load: async () => (await import('./commands/providers-list.js')).command,
  },
  {
    name: 'providers rotate',
    load: async () => (await import('./commands/providers-rotate.js')).command,
  },
  {
    name: 'providers verify',
    load: async () => (await import('./commands/providers-verify.js')).command,
  },
  { name: 'audit tail', load: async () => (await import('./commands/audit-tail.js')).command },
  { name: 'audit query', load: async () => (await import('./commands/audit-query.js')).command },
  {
    name: 'audit verify',
    load: async () => (await import('./commands/audit-verify.js')).command,
  },
  { name: 'config check', load: async () => (await import('./commands/config-check.js')).command },
  { name: 'doctor', load: async () => (await import('./commands/doctor.js')).command },
  {
    name: 'config schema',
    load: async () => (await import('./commands/config-schema.js')).command,
  },
  {
    name: 'mock-provider',
    load: async () => (await import('./commands/mock-provider.js')).command,
  },
  { name: 'scan', load: async () => (await import('./commands/scan.js')).command },
  { name: 'hook install', load: async () => (await import('./commands/hook-install.js')).command },
  {
    name: 'hook uninstall',
    load: async () => (await import('./commands/hook-uninstall.js')).command,
  },
  { name: 'vault put', load: async () => (await import('./commands/vault-put.js')).command },
  { name: 'vault list', load: async () => (await import('./commands/vault-list.js')).command },
  { name: 'vault rm', load: async () => (await import('./commands/vault-rm.js')).command },
];
