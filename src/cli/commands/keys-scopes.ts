import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';
import { loadCliConfig } from '../config-flags.js';
import { checkScopes, SCOPE_CHECK_FLAGS } from '../scope-check.js';
import { SCOPE_FLAGS, scopesFromFlags } from './keys-scope-flags.js';

export const command: CliCommand = {
  name: 'keys scopes',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...ADMIN_FLAGS, ...SCOPE_FLAGS, ...SCOPE_CHECK_FLAGS },
      allowPositionals: true,
    });
    const which = positionals[0];
    if (which === undefined || positionals.length > 1) {
      throw new UsageError(`usage: bastion keys scopes <id|prefix> [scope flags] (see --help)`);
    }
    const scopes = scopesFromFlags(values);
    checkScopes(scopes, loadCliConfig(values, io.env, io.cwd).config, values);
    const call = adminClient(values, io);
    const result = await call(
      'PUT',
      `/admin/keys/${encodeURIComponent(which.replace(/…$/, ''))}/scopes`,
      scopes,
    );
    if (result.status !== 200) return reportAdminError(io, result);
    io.stdout.write(
      `${JSON.stringify(values.json ? result.body : (result.body as { scopes: unknown }).scopes)}\n`,
    );
    return 0;
  },
};
