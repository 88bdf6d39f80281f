import { parseArgs } from 'node:util';
import { isGatewayError } from '../../errors/gateway-error.js';
import { scrubber } from '../../log/scrub.js';
import { archiveAudit } from '../../pipeline/audit/archive.js';
import { configuredChainKeyring } from '../../pipeline/audit/chain-key.js';
import { CliFailure, UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { withStore } from '../store-access.js';
import { buildAuditQuery } from './audit-query.js';
import { auditProgress } from './audit-progress.js';

const OPTIONS = {
  ...CONFIG_FLAGS,
  before: { type: 'string' },
  dir: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const DAY_MS = 86_400_000;

/**
 * Retention: archives every chain's rows older than the cut (`--before`, else
 * `audit.retention.maxAgeDays`) into one verified gzip JSON-lines file, then deletes them.
 */
export const command: CliCommand = {
  name: 'audit archive',
  async run(args, io) {
    const { values } = parseArgs({ args, options: OPTIONS });
    const nowMs = Date.now();
    const progress = auditProgress(io, 'archiving');
    try {
      const result = await withStore(
        values,
        io,
        async (store, { config, secrets }) => {
          const { retention } = config.audit;
          const cutMs =
            values.before === undefined
              ? retention.maxAgeDays === undefined
                ? undefined
                : nowMs - retention.maxAgeDays * DAY_MS
              : buildAuditQuery({ since: values.before }, nowMs).sinceMs;
          if (cutMs === undefined) {
            throw new UsageError(
              'give --before 90d (or an ISO date), or set audit.retention.maxAgeDays',
            );
          }
          const keys = await configuredChainKeyring(config.audit, secrets);
          return archiveAudit(
            { store, keys, nowMs },
            {
              cutMs,
              dir: values.dir ?? retention.archiveDir,
              ...(progress === undefined ? {} : { onProgress: (n) => progress.update(n, 0) }),
            },
          );
        },
        { mustExist: true },
      ).finally(() => progress?.finish());
      if (values.json) io.stdout.write(`${JSON.stringify(result ?? null)}\n`);
      else if (result === undefined) io.stdout.write('nothing older than the cut\n');
      else {
        io.stdout.write(
          `archived ${result.rows} row(s) of ${result.heads.length} chain(s) before ` +
            `${new Date(result.cutMs).toISOString()} to ${result.path}\n` +
            result.heads
              .map((h) => `chain ${h.chainId}  seq=${h.fromSeq}..${h.toSeq}  head=${h.toHash}\n`)
              .join(''),
        );
      }
      return 0;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (err instanceof CliFailure) {
        io.stderr.write(`bastion audit archive: ${err.message}\n`);
        return 2;
      }
      if (!isGatewayError(err)) {
        io.stderr.write(`bastion audit archive: ${scrubber.scrub(String(err))}\n`);
        return 1;
      }
      io.stderr.write(`bastion audit archive: ${err.code}: ${scrubber.scrub(err.message)}\n`);
      return 2;
    }
  },
};
