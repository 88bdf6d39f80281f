import { parseArgs } from 'node:util';
import { isGatewayError } from '../../errors/gateway-error.js';
import { scrubber } from '../../log/scrub.js';
import { configuredChainHasher } from '../../pipeline/audit/chain-key.js';
import {
  verifyAuditChains,
  type ChainProblem,
  type ChainReport,
  type VerifyReport,
} from '../../pipeline/audit/verify.js';
import { CliFailure, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { withStore } from '../store-access.js';
import { buildAuditQuery } from './audit-query.js';

const OPTIONS = {
  ...CONFIG_FLAGS,
  since: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const command: CliCommand = {
  name: 'audit verify',
  async run(args, io) {
    const { values } = parseArgs({ args, options: OPTIONS });
    const { sinceMs } = buildAuditQuery({ since: values.since }, Date.now());
    let report: VerifyReport;
    try {
      report = await withStore(
        values,
        io,
        async (store, { config, secrets }) =>
          verifyAuditChains(
            { store, hash: await configuredChainHasher(config.audit.chainKey, secrets) },
            sinceMs === undefined ? {} : { sinceMs },
          ),
        { mustExist: true },
      );
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
  const { unchained } = report;
  if (unchained.rows > 0) {
    lines.push(
      `unchained  rows=${unchained.rows}  ${range(unchained.fromMs, unchained.toMs)}  ` +
        'written before chaining (not verifiable)',
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
  }
}

function range(fromMs: number | null, toMs: number | null): string {
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  return `${iso(fromMs)}..${iso(toMs)}`;
}
