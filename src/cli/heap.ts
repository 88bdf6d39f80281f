import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * V8 heap settings for `bastion serve`, applied in-process, so `bastion serve`, `npm start`, the
 * container, the systemd unit and the Kubernetes pod all get them without a wrapper or
 * `NODE_OPTIONS` (docs/deploy.md, "Memory"). Node reads most heap flags only when the heap is
 * created; the two used here are read whenever V8 resizes a generation, so they work from here.
 *
 * - Young generation: V8 doubles it, up to two 16 MiB semi-spaces on 64-bit, whenever enough
 *   survives a scavenge, and start-up (loading the gateway's modules) is enough; every page once
 *   used stays resident. It is held at its initial size (1 MiB semi-spaces) until the gateway
 *   has started (`--semi-space-growth-factor=1`), then may grow under load up to
 *   `YOUNG_SEMI_SPACE_MAX_MIB`, half V8's default (a request allocates about 180 KiB, so a
 *   scavenge every ~45 requests instead of ~90).
 * - Old generation: `--heap-growing-percent` collects it once it has grown by that share over
 *   what the last full collection kept, instead of up to 4× it (V8's factor when the heap limit
 *   is above 2 GiB); what piles up between two collections is the garbage of past requests.
 *
 * An operator who sets either family of flags (on the command line or in `NODE_OPTIONS`) keeps
 * V8's behaviour for that family. `--min-semi-space-size=N` alone sets the idle young size.
 */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';
const YOUNG_GENERATION_GROWS = '--semi-space-growth-factor=2';
export const OLD_GENERATION_FLAG = '--heap-growing-percent=50';
const YOUNG_SEMI_SPACE_MAX_MIB = 8;

const YOUNG_GENERATION_OPERATOR_FLAGS = ['max-semi-space-size', 'semi-space-growth-factor'];
const OLD_GENERATION_OPERATOR_FLAGS = ['heap-growing-percent'];

/** The flags to apply given the operator's own: `execArgv` and `NODE_OPTIONS`. */
export function servingHeapFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)]
    .filter((arg) => arg.startsWith('--'))
    // V8 takes `--max_semi_space_size` as well as `--max-semi-space-size`.
    .map((arg) => arg.slice(2).split('=')[0]?.replaceAll('_', '-'));
  const chosen = (names: string[]) => names.some((name) => given.includes(name));
  const flags: string[] = [];
  if (!chosen(YOUNG_GENERATION_OPERATOR_FLAGS)) flags.push(YOUNG_GENERATION_FLAG);
  if (!chosen(OLD_GENERATION_OPERATOR_FLAGS)) flags.push(OLD_GENERATION_FLAG);
  return flags;
}

let youngGenerationManaged = false;

/** Applies `servingHeapFlags` to this process; call before the gateway's modules load. */
export function tuneHeapForServing(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): void {
  for (const flag of servingHeapFlags(execArgv, nodeOptions)) {
    setFlagsFromString(flag);
    if (flag === YOUNG_GENERATION_FLAG) youngGenerationManaged = true;
  }
}

/**
 * Once started: lets the young generation grow under load up to `maxSemiSpaceMiB` per
 * semi-space (checked after every collection, when V8 may have resized it), or does nothing if
 * `tuneHeapForServing` left it to the operator. Returns the function that stops watching.
 */
export function capYoungGeneration(maxSemiSpaceMiB = YOUNG_SEMI_SPACE_MAX_MIB): () => void {
  if (!youngGenerationManaged) return () => undefined;
  // `new_space` counts both semi-spaces.
  const cap = 2 * maxSemiSpaceMiB * 1024 * 1024;
  let grows: boolean | undefined;
  const check = () => {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const next = (young?.space_size ?? cap) < cap;
    if (next === grows) return;
    grows = next;
    setFlagsFromString(next ? YOUNG_GENERATION_GROWS : YOUNG_GENERATION_FLAG);
  };
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => {
    observer.disconnect();
    setFlagsFromString(YOUNG_GENERATION_FLAG);
  };
}
