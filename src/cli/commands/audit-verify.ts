import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isGatewayError } from '../../errors/gateway-error.js';
import { scrubber } from '../../log/scrub.js';
import {
  verifyArchive,
  type ArchiveChainReport,
  type ArchiveReport,
} from '../../pipeline/audit/archive.js';
import { configuredChainKeyring } from '../../pipeline/audit/chain-key.js';
import {
  verifyAuditChains,
  type ChainProblem,
  type ChainReport,
  type HeadProblem,
  type LoggedHead,
  type VerifyReport,
} from '../../pipeline/audit/verify.js';
import { CliFailure, type CliCommand, type CliIo } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { withStore } from '../store-access.js';
import { auditProgress } from './audit-progress.js';
import { buildAuditQuery } from './audit-query.js';

const OPTIONS = {
  ...CONFIG_FLAGS,
  since: { type: 'string' },
  heads: { type: 'string' },
  archive: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const command: CliCommand = {
  name: 'audit verify',
  async run(args, io) {
    const { values } = parseArgs({ args, options: OPTIONS });
    const { sinceMs } = buildAuditQuery({ since: values.since }, Date.now());
    let heads: LoggedHead[] | undefined;
    if (values.heads !== undefined) {
      heads = await readLoggedHeads(values.heads).catch(() => undefined);
      if (heads === undefined) {
        io.stderr.write(`bastion audit verify: cannot read --heads ${values.heads}\n`);
        return 2;
      }
    }
    if (values.archive !== undefined) return verifyArchiveFile(values.archive, values, io);
    let report: VerifyReport;
    const progress = auditProgress(io, 'verifying');
    try {
      report = await withStore(
        values,
        io,
        async (store, { config, secrets }) =>
          verifyAuditChains(
            { store, keys: await configuredChainKeyring(config.audit, secrets) },
            {
              ...(sinceMs === undefined ? {} : { sinceMs }),
              ...(heads === undefined ? {} : { heads }),
              ...(progress === undefined ? {} : { onProgress: progress.update }),
            },
          ),
        { mustExist: true },
      ).finally(() => progress?.finish());
    } catch (err) {
      // A store that is down, missing, or a key that cannot be read: nothing was verified.
      if (err instanceof CliFailure) {
        io.stderr.write(`bastion audit verify: ${err.message}\n`);
        return 2;
      }
      if (!isGatewayError(err)) throw err;
      io.stderr.write(`bastion audit verify: ${err.code}: ${scrubber.scrub(err.message)}\n`);
      return 2;
    }
    io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return report.isIntact ? 0 : 1;
  },
};

function formatReport(report: VerifyReport): string {
  const lines = report.chains.map(formatChain);
  if (report.sinceMs !== undefined) {
    lines.unshift(
      `since ${new Date(report.sinceMs).toISOString()}: each chain from its first row at or ` +
        'after this time, whose prev_hash is trusted, not checked against the row before it ' +
        '(verify without --since to check every chain from its start)',
    );
  }
  const { unchained } = report;
  if (unchained.rows > 0) {
    lines.push(
      `unchained  rows=${unchained.rows}  ${range(unchained.fromMs, unchained.toMs)}  ` +
        'written before chaining (not verifiable)',
    );
  }
  if (report.heads !== undefined) {
    for (const p of report.heads.problems) lines.push(describeHeadProblem(p));
    lines.push(
      `${report.heads.checked} logged head(s) checked, ${report.heads.problems.length} not found as logged`,
    );
  }
  const tampered = report.chains.filter((c) => c.problem !== null).length;
  lines.push(
    `${report.chains.length} chain(s), ${tampered} with problems: ` +
      (report.isIntact ? 'intact' : 'TAMPERING FOUND'),
  );
  return `${lines.join('\n')}\n`;
}

function formatChain(c: ChainReport): string {
  return [
    `chain ${c.chainId}`,
    `rows=${c.rows}`,
    `seq=${c.fromSeq}..${c.toSeq}`,
    range(c.fromMs, c.toMs),
    c.problem === null ? 'ok' : `TAMPERED ${describeProblem(c.problem)}`,
  ].join('  ');
}

function describeProblem(p: ChainProblem): string {
  switch (p.kind) {
    case 'hash_mismatch':
      return `hash_mismatch at seq ${p.seq} (${p.requestId}): record modified`;
    case 'seq_gap':
      return `seq_gap: expected seq ${p.expectedSeq}, found ${p.foundSeq}: records deleted`;
    case 'seq_duplicate':
      return `seq_duplicate at seq ${p.seq} (${p.requestId}): record inserted`;
    case 'prev_hash_mismatch':
      return `prev_hash_mismatch at seq ${p.seq} (${p.requestId}): records reordered or spliced`;
    case 'unknown_key':
      return `unknown_key ${p.keyId}: signed with a key that is neither audit.chainKey nor in audit.previousChainKeys`;
  }
}

function describeHeadProblem(p: HeadProblem): string {
  return p.kind === 'head_missing'
    ? `chain ${p.chainId}  TRUNCATED head_missing: logged head seq ${p.seq} is not in the store`
    : `chain ${p.chainId}  TAMPERED head_mismatch: the row at logged head seq ${p.seq} has another hash`;
}

/**
 * The `audit_chain_head` events among log lines (JSON lines as the gateway writes them, other
 * lines ignored), so the log the operator shipped elsewhere can be handed over as it is. The
 * file is streamed and only the highest head per chain is kept: a log of many gigabytes costs
 * memory per chain, not per line.
 */
async function readLoggedHeads(path: string): Promise<LoggedHead[]> {
  const latest = new Map<string, LoggedHead>();
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    const head = headOf(line);
    if (head !== undefined && head.seq > (latest.get(head.chainId)?.seq ?? 0)) {
      latest.set(head.chainId, head);
    }
  }
  return [...latest.values()];
}

function headOf(line: string): LoggedHead | undefined {
  if (!line.includes('audit_chain_head')) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { event, chainId, seq, hash } = entry as Record<string, unknown>;
  if (event !== 'audit_chain_head' || typeof chainId !== 'string') return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  return { chainId, seq, hash };
}

function range(fromMs: number | null, toMs: number | null): string {
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  return `${iso(fromMs)}..${iso(toMs)}`;
}

async function verifyArchiveFile(
  path: string,
  values: { config?: string | undefined; json: boolean },
  io: CliIo,
): Promise<number> {
  let report: ArchiveReport;
  const progress = auditProgress(io, 'verifying');
  try {
    report = await withStore(values, io, async (_store, { config, secrets }) =>
      verifyArchive(path, await configuredChainKeyring(config.audit, secrets), (n) =>
        progress?.update(n, 0),
      ),
    ).finally(() => progress?.finish());
  } catch (err) {
    if (err instanceof CliFailure) {
      io.stderr.write(`bastion audit verify: ${err.message}\n`);
      return 2;
    }
    if (!isGatewayError(err)) throw err;
    io.stderr.write(`bastion audit verify: ${err.code}: ${scrubber.scrub(err.message)}\n`);
    return 2;
  }
  if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    const lines = report.chains.map(
      (c) =>
        `chain ${c.chainId}  rows=${c.rows}  seq=${c.fromSeq}..${c.toSeq}  ${describeArchiveProblem(c.problem)}`,
    );
    if (report.fileProblem !== null) lines.push(`archive ${path}: ${report.fileProblem}`);
    const cut = report.cutMs === null ? '-' : new Date(report.cutMs).toISOString();
    lines.push(
      `archive of ${report.rows} row(s) before ${cut}, ${report.chains.length} chain(s): ` +
        (report.isIntact ? 'intact and complete' : 'TAMPERING FOUND'),
    );
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.isIntact ? 0 : 1;
}

function describeArchiveProblem(p: ArchiveChainReport['problem']): string {
  if (p === null) return 'ok';
  if (p.kind === 'head_mismatch' || p.kind === 'head_absent') {
    return `TAMPERED ${p.kind}: the rows do not end on the head the archive declares`;
  }
  return `TAMPERED ${describeProblem(p)}`;
}
