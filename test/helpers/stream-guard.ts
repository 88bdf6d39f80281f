import { guardSchema } from '../../src/config/guard.js';
import type { PseudonymVault } from '../../src/detect/pii/index.js';
import { rewriteArgsText } from '../../src/pipeline/guard/output-args.js';
import { createArgsScanner, createOutputScanner } from '../../src/pipeline/guard/output-scan.js';
import type { StreamRewriteDeps } from '../../src/pipeline/guard/output-stream.js';
import {
  createTextFilter,
  windowFor,
  type WindowScanner,
} from '../../src/pipeline/guard/output-text.js';
import { createGuardPolicies } from '../../src/pipeline/guard/policy.js';

/**
 * The stream rewriter's dependencies as the output guard builds them for the default policy
 * (128-character hold-back), restoring `vault`'s pseudonyms when one is given.
 */
export function defaultStreamDeps(vault?: PseudonymVault): StreamRewriteDeps {
  const policy = createGuardPolicies(guardSchema.parse({})).forEnv(undefined);
  const opts = windowFor(128);
  const whole = (scan: WindowScanner) => (t: string) => {
    const f = createTextFilter(scan, opts);
    return f.push(t) + f.flush();
  };
  const scan = createOutputScanner(policy, vault);
  const argsScan = createArgsScanner(policy, vault);
  return {
    newFilter: () => createTextFilter(scan, opts),
    newArgsFilter: () => createTextFilter(argsScan, opts),
    fullText: whole(scan),
    fullArgs: (t) => rewriteArgsText(t, { args: whole(argsScan), value: whole(scan) }),
    fullValue: whole(scan),
    scanValue: whole(scan),
  };
}
