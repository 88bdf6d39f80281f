import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseSecretRef } from '../../secrets/ref.js';
import { ADMIN_FLAGS, adminClient, reportAdminError, type AdminCall } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';
import {
  AdminCallError,
  expectOk,
  keyPath,
  keyViewSchema,
  listKeys,
  parseDuration,
  parseSteps,
  usageSince,
  type KeyViewDto,
} from './providers-shared.js';

const USAGE =
  'usage: bastion providers rotate <provider> --new <env:NAME|file:/path|…> [--label L] [--old L] [--steps 10,50] [--min-successes 10] [--step-wait 2m] [--drain-timeout 2m]';

interface Plan {
  provider: string;
  newRef: string;
  newLabel: string;
  oldLabels: string[] | undefined;
  steps: number[];
  stepWaitMs: number;
  minSuccesses: number;
  drainTimeoutMs: number;
}

/** Lines of the playbook's record, in order; also the `--json` report. */
interface Report {
  provider: string;
  newKey: string;
  oldKeys: string[];
  steps: string[];
  cutoverAtMs: number | null;
  oldKeyRequestsSinceCutover: number | null;
  newKeyRequestsSinceCutover: number | null;
  outcome: 'rotated' | 'rolled_back' | 'old_key_still_used';
}

class RollBack extends Error {}

/**
 * The rotation playbook against a live gateway, through its admin API: add the new key (no
 * traffic yet), shift traffic to it in steps, each waiting for evidence from completed calls
 * (rolling back if it fails or shows no success in time), cut over by draining the old keys (no new requests; in-flight ones finish), revoke
 * them, then verify from the audit log that no old key carried a request since the cut-over.
 */
export const command: CliCommand = {
  name: 'providers rotate',
  async run(args, io) {
    const plan = parsePlan(args);
    const call = adminClient(plan.values, io);
    const report: Report = {
      provider: plan.provider,
      newKey: plan.newLabel,
      oldKeys: [],
      steps: [],
      cutoverAtMs: null,
      oldKeyRequestsSinceCutover: null,
      newKeyRequestsSinceCutover: null,
      outcome: 'rotated',
    };
    const say = (text: string) => {
      report.steps.push(text);
      if (!plan.values.json) io.stdout.write(`${text}\n`);
    };
    try {
      await rotate(call, plan, report, say);
    } catch (err) {
      if (err instanceof AdminCallError) return reportAdminError(io, err);
      if (!(err instanceof RollBack)) throw err;
      report.outcome = 'rolled_back';
      say(`rolled back: ${err.message}`);
    }
    if (plan.values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else if (report.outcome === 'rotated') io.stdout.write(configReminder(plan, report));
    return report.outcome === 'rotated' ? 0 : 1;
  },
};

type AdminValues = { json: boolean; config?: string | undefined; 'admin-url'?: string | undefined };

function parsePlan(args: string[]): Plan & { values: AdminValues } {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...ADMIN_FLAGS,
      new: { type: 'string' },
      label: { type: 'string' },
      old: { type: 'string', multiple: true },
      steps: { type: 'string', default: '10,50' },
      'step-wait': { type: 'string', default: '2m' },
      'min-successes': { type: 'string', default: '10' },
      'drain-timeout': { type: 'string', default: '2m' },
    },
    allowPositionals: true,
  });
  const provider = positionals[0];
  if (provider === undefined || positionals.length > 1 || values.new === undefined) {
    throw new UsageError(USAGE);
  }
  // Never repeat the value: if it is the key itself, the error must not print it again.
  if ('error' in parseSecretRef(values.new)) {
    throw new UsageError(
      '--new takes a reference to the new key (env:NAME, file:/path, vault:NAME, …), never the key itself; e.g. --new env:OPENAI_API_KEY_NEW',
    );
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return {
    values,
    provider,
    newRef: values.new,
    newLabel: values.label ?? `${provider}-${stamp}`,
    oldLabels: values.old,
    steps: parseSteps(values.steps),
    stepWaitMs: parseDuration(values['step-wait'], '--step-wait'),
    minSuccesses: parseCount(values['min-successes'], '--min-successes'),
    drainTimeoutMs: parseDuration(values['drain-timeout'], '--drain-timeout'),
  };
}

async function rotate(call: AdminCall, plan: Plan, report: Report, say: (t: string) => void) {
  const keys = await listKeys(call, plan.provider);
  const old = keys.filter((k) =>
    plan.oldLabels === undefined ? k.state === 'active' : plan.oldLabels.includes(k.label),
  );
  if (old.length === 0) throw new UsageError(`no active key to rotate on ${plan.provider}`);
  if (old.some((k) => k.label === plan.newLabel)) throw new UsageError('--label names an old key');
  report.oldKeys = old.map((k) => k.label);
  const oldWeight = old.reduce((sum, k) => sum + k.weight, 0) || 1;

  const added = await expectOk(
    call,
    keyViewSchema,
    'POST',
    `/admin/providers/${encodeURIComponent(plan.provider)}/keys`,
    {
      label: plan.newLabel,
      apiKey: plan.newRef,
      weight: 0,
    },
  );
  say(`add     ${plan.newLabel} (weight 0, no traffic yet)`);
  await everyReplicaHasIt(call, plan, old, added);

  for (const pct of plan.steps) await shift(call, plan, old, pct, say);
  await everyReplicaHasIt(
    call,
    plan,
    old,
    await setWeight(call, plan.provider, plan.newLabel, Math.min(1000, oldWeight)),
  );
  report.cutoverAtMs = await drainAll(call, plan, old, say);
  for (const k of old) await revoke(call, plan, k.label, say);
  await verify(call, plan, report, say);
}

/**
 * A replica that has not taken the new key (its reference does not resolve there, or it did not
 * answer in time) would be left with no key once the old ones drain: roll back instead.
 */
async function everyReplicaHasIt(call: AdminCall, plan: Plan, old: KeyViewDto[], view: KeyViewDto) {
  const pending = pendingOf(view);
  if (pending === 0) return;
  await rollBack(call, plan, old);
  throw new RollBack(
    `${plan.newLabel}: ${pending} replica(s) had not taken it (does ${plan.newRef} resolve on every replica?); old keys restored`,
  );
}

/** What one step has seen of the new key since it started: completed calls only. */
export interface StepEvidence {
  successes: number;
  failures: number;
  breaker: 'closed' | 'open' | 'half_open';
}

/** Completed calls before a failure rate can roll a key back (breaker aside). */
const MIN_COMPLETED_FOR_RATE = 5;

/**
 * The rollback rule for one shift step, on completed calls only (a call still in flight is no
 * evidence either way): roll back when the breaker is not closed, or when more than half of at
 * least 5 completed calls failed; pass once `minSuccesses` calls succeeded (with no more than
 * half failed); otherwise wait for more evidence. The caller rolls back at the deadline.
 */
export function judgeStep(
  seen: StepEvidence,
  minSuccesses: number,
): { verdict: 'pass' | 'wait' } | { verdict: 'roll_back'; reason: string } {
  const completed = seen.successes + seen.failures;
  if (seen.breaker !== 'closed')
    return { verdict: 'roll_back', reason: `its breaker is ${seen.breaker}` };
  if (completed >= MIN_COMPLETED_FOR_RATE && seen.failures * 2 > completed) {
    return {
      verdict: 'roll_back',
      reason: `it failed ${seen.failures} of ${completed} completed calls`,
    };
  }
  if (seen.successes >= minSuccesses && seen.failures * 2 <= completed) return { verdict: 'pass' };
  return { verdict: 'wait' };
}

/**
 * Sends `pct` percent of new requests to the new key, then waits for evidence: polls the key
 * until `judgeStep` passes or rolls back, rolling back too when `--step-wait` ends without
 * `--min-successes` completed successes in this step. So an unusable key (or one whose calls
 * are still in flight) never carries all the traffic.
 */
async function shift(
  call: AdminCall,
  plan: Plan,
  old: KeyViewDto[],
  pct: number,
  say: (t: string) => void,
) {
  const before = await newKeyView(call, plan);
  const total = old.reduce((sum, k) => sum + k.weight, 0) || 1;
  for (const k of old) {
    const weight = Math.max(1, Math.round((k.weight * (100 - pct) * 10) / total));
    await setWeight(call, plan.provider, k.label, weight);
  }
  await setWeight(call, plan.provider, plan.newLabel, pct * 10);
  const deadline = Date.now() + plan.stepWaitMs;
  for (;;) {
    const fresh = await newKeyView(call, plan);
    const seen: StepEvidence = {
      successes: fresh === undefined ? 0 : fresh.successes - (before?.successes ?? 0),
      failures: fresh === undefined ? 0 : fresh.failures - (before?.failures ?? 0),
      breaker: fresh?.circuit.state ?? 'closed',
    };
    const judged =
      fresh === undefined
        ? { verdict: 'roll_back' as const, reason: 'the new key disappeared' }
        : judgeStep(seen, plan.minSuccesses);
    if (judged.verdict === 'pass') {
      say(
        `shift   ${pct}% to ${plan.newLabel} (${seen.successes} succeeded, ${seen.failures} failed)`,
      );
      return;
    }
    const reason =
      judged.verdict === 'roll_back'
        ? judged.reason
        : Date.now() >= deadline
          ? `${seen.successes} of the ${plan.minSuccesses} successful calls needed completed within --step-wait (${fresh?.inFlight ?? 0} still in flight, ${seen.failures} failed); retry with a longer --step-wait while traffic flows`
          : undefined;
    if (reason !== undefined) {
      await rollBack(call, plan, old);
      throw new RollBack(`${plan.newLabel}: ${reason}; old keys restored`);
    }
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/** How often a step re-reads the new key's counters. */
const POLL_MS = 200;

async function newKeyView(call: AdminCall, plan: Plan): Promise<KeyViewDto | undefined> {
  return (await listKeys(call, plan.provider)).find((k) => k.label === plan.newLabel);
}

async function rollBack(call: AdminCall, plan: Plan, old: KeyViewDto[]) {
  for (const k of old) await setWeight(call, plan.provider, k.label, k.weight);
  await expectOk(call, keyViewSchema, 'PATCH', keyPath(plan.provider, plan.newLabel), {
    state: 'revoked',
    force: true,
  });
}

function parseCount(value: string, flag: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${flag} takes a whole number of calls from 1, e.g. 10`);
  }
  return Number(value);
}

function setWeight(call: AdminCall, provider: string, label: string, weight: number) {
  return expectOk(call, keyViewSchema, 'PATCH', keyPath(provider, label), { weight });
}

/** Drains every old key (repeating the bounded drain call) and returns the cut-over time. */
async function drainAll(call: AdminCall, plan: Plan, old: KeyViewDto[], say: (t: string) => void) {
  let cutoverAtMs = 0;
  const giveUpAt = Date.now() + plan.drainTimeoutMs;
  for (const k of old) {
    let view: KeyViewDto;
    do {
      const timeoutMs = Math.max(0, Math.min(8_000, giveUpAt - Date.now()));
      view = await expectOk(
        call,
        keyViewSchema,
        'POST',
        `${keyPath(plan.provider, k.label)}/drain`,
        { timeoutMs },
      );
    } while ((view.inFlight > 0 || pendingOf(view) > 0) && Date.now() < giveUpAt);
    if (view.inFlight > 0)
      say(`drain   ${k.label}: ${view.inFlight} call(s) still in flight after --drain-timeout`);
    if (pendingOf(view) > 0)
      say(
        `drain   ${k.label}: ${pendingOf(view)} replica(s) had not applied it by --drain-timeout`,
      );
    cutoverAtMs = Math.max(cutoverAtMs, view.stateChangedAtMs);
    say(
      `drain   ${k.label}: no new requests since ${new Date(view.stateChangedAtMs).toISOString()}`,
    );
  }
  return cutoverAtMs;
}

/** Replicas that have not applied the change the answer is about (0 with one replica). */
const pendingOf = (view: KeyViewDto) => view.fleet?.pending ?? 0;

/**
 * Revokes an old key, repeating the (idempotent) call while other replicas have not applied it
 * yet: each call waits for them, and the key counts as revoked once every replica runs so.
 */
async function revoke(call: AdminCall, plan: Plan, label: string, say: (t: string) => void) {
  const giveUpAt = Date.now() + plan.drainTimeoutMs;
  let view: KeyViewDto;
  do {
    view = await expectOk(call, keyViewSchema, 'PATCH', keyPath(plan.provider, label), {
      state: 'revoked',
    });
  } while (pendingOf(view) > 0 && Date.now() < giveUpAt);
  say(
    pendingOf(view) > 0
      ? `revoke  ${label}: ${pendingOf(view)} replica(s) had not applied it by --drain-timeout`
      : `revoke  ${label}`,
  );
}

async function verify(call: AdminCall, plan: Plan, report: Report, say: (t: string) => void) {
  // A request that started in the cut-over millisecond may have picked the old key just before
  // it; every request from the next millisecond on started after the change.
  const usage = await usageSince(call, plan.provider, (report.cutoverAtMs ?? 0) + 1);
  const oldCount = report.oldKeys.reduce((sum, label) => sum + (usage.byKey[label] ?? 0), 0);
  report.oldKeyRequestsSinceCutover = oldCount;
  report.newKeyRequestsSinceCutover = usage.byKey[plan.newLabel] ?? 0;
  if (oldCount > 0) report.outcome = 'old_key_still_used';
  say(
    `verify  ${oldCount === 0 ? 'ok' : 'FAILED'}: old key(s) ${report.oldKeys.join(', ')} carried ${oldCount} request(s) since the cut-over; ${plan.newLabel} carried ${report.newKeyRequestsSinceCutover}`,
  );
}

function configReminder(plan: Plan, report: Report): string {
  return [
    '',
    'The store keeps this for every replica and across restarts; the config still says which',
    'secrets exist. Make it permanent there, e.g.:',
    `  providers.${plan.provider}.keys:`,
    `    - { label: ${plan.newLabel}, apiKey: ${plan.newRef}, createdAt: ${new Date().toISOString().slice(0, 10)} }`,
    ...report.oldKeys.map((label) => `    # ${label}: remove it, or keep it with state: revoked`),
    '',
  ].join('\n');
}
