import { parseArgs } from 'node:util';
import { isEnvironment, issueVirtualKey } from '../../pipeline/auth/virtual-key.js';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { checkScopes, SCOPE_CHECK_FLAGS } from '../scope-check.js';
import { parseExpiry, withStore } from '../store-access.js';
import { SCOPE_FLAGS, scopesFromFlags } from './keys-scope-flags.js';

export const command: CliCommand = {
  name: 'keys create',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...CONFIG_FLAGS,
        name: { type: 'string' },
        env: { type: 'string', default: 'dev' },
        expires: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...SCOPE_FLAGS,
        ...SCOPE_CHECK_FLAGS,
      },
    });
    if (values.name === undefined || !/^[\w.-]{1,64}$/.test(values.name)) {
      throw new UsageError('--name is required: 1-64 letters, digits, "-", "_" or "."');
    }
    if (!isEnvironment(values.env))
      throw new UsageError('--env must be one of dev, staging, prod, ci');
    const nowMs = Date.now();
    const expiresAtMs = values.expires === undefined ? null : parseExpiry(values.expires, nowMs);
    if (expiresAtMs === undefined || (expiresAtMs !== null && expiresAtMs <= nowMs)) {
      throw new UsageError('--expires must be a future ISO date or a duration like 30d, 12h, 90m');
    }
    const scopes = scopesFromFlags(values);
    const issued = issueVirtualKey({
      name: values.name,
      env: values.env,
      nowMs,
      expiresAtMs,
      scopes,
    });
    await withStore(values, io, (store, { config }) => {
      checkScopes(scopes, config, values);
      return store.insertKey(issued.record);
    });
    const { id, prefix, env, name } = issued.record;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ id, name, env, prefix, expiresAtMs, scopes, key: issued.secret })}\n`,
      );
    } else {
      io.stdout.write(`${issued.secret}\n`);
      io.stderr.write(
        `key ${id} (${prefix}…, ${env}, "${name}") created. The key is shown only now; store it in your app's secret store.\n`,
      );
    }
    return 0;
  },
};
