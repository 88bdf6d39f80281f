import type { CliCommand } from './command.js';
import { command as auditQuery } from './commands/audit-query.js';
import { command as auditTail } from './commands/audit-tail.js';
import { command as configCheck } from './commands/config-check.js';
import { command as configSchema } from './commands/config-schema.js';
import { command as keysCreate } from './commands/keys-create.js';
import { command as keysList } from './commands/keys-list.js';
import { command as keysRevoke } from './commands/keys-revoke.js';
import { command as keysScopes } from './commands/keys-scopes.js';
import { command as budgetsList } from './commands/budgets-list.js';
import { command as usageShow } from './commands/usage-show.js';
import { command as alertsList } from './commands/alerts-list.js';
import { command as killswitchSet } from './commands/killswitch-set.js';
import { command as killswitchClear } from './commands/killswitch-clear.js';
import { command as killswitchList } from './commands/killswitch-list.js';
import { command as mockProvider } from './commands/mock-provider.js';
import { command as hookInstall } from './commands/hook-install.js';
import { command as hookUninstall } from './commands/hook-uninstall.js';
import { command as scan } from './commands/scan.js';
import { command as serve } from './commands/serve.js';
import { command as vaultList } from './commands/vault-list.js';
import { command as vaultPut } from './commands/vault-put.js';
import { command as vaultRm } from './commands/vault-rm.js';

export const COMMANDS: readonly CliCommand[] = [
  serve,
  keysCreate,
  keysList,
  keysRevoke,
  keysScopes,
  budgetsList,
  usageShow,
  alertsList,
  killswitchSet,
  killswitchClear,
  killswitchList,
  auditTail,
  auditQuery,
  configCheck,
  configSchema,
  mockProvider,
  scan,
  hookInstall,
  hookUninstall,
  vaultPut,
  vaultList,
  vaultRm,
];
