type Arg = string | number;
type Reply = (number | string)[];

/** What a call asks of the batch script (`BATCH_SCRIPT`), by the number it goes by there. */
export const ADMISSION = 1;
export const SETTLEMENT = 2;
export const RELEASE = 3;
type Kind = typeof ADMISSION | typeof SETTLEMENT | typeof RELEASE;

interface Pending {
  kind: Kind;
  keys: string[];
  args: Arg[];
  resolve: (reply: Reply) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 128;

/**
 * Every script call of one event-loop turn goes to Redis together: admissions on the request
 * path, and settlements and slot releases after the last byte, as one call of the batch script,
 * not one each. Under load many requests reach the same step in one turn, so what a call costs
 * Redis beyond its own work is shared by all of them; an idle gateway waits for nothing (the turn
 * ends at once). Calls run in the order they were made and each caller gets its own reply.
 * Calls of different `group`s go apart: on a Redis Cluster a script's keys must share one slot,
 * so there the group is the subject (its hash tag); on one Redis every call is in one group.
 */
export function createBatcher(send: (keys: string[], args: Arg[]) => Promise<Reply[]>) {
  let queue = new Map<string, Pending[]>();
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  function sendPart(part: Pending[]): void {
    const keys: string[] = [];
    const args: Arg[] = [part.length];
    for (const p of part) {
      for (const k of p.keys) keys.push(k);
      args.push(p.kind, p.keys.length, p.args.length);
      for (const a of p.args) args.push(a);
    }
    inFlight++;
    send(keys, args)
      .then(
        (replies) => {
          // A reply missing from the batch's answer fails its call (the caller refuses with
          // limits_unavailable) rather than being read as an empty, meaningless answer.
          part.forEach((p, i) => {
            const reply = Array.isArray(replies) ? replies[i] : undefined;
            if (Array.isArray(reply)) p.resolve(reply);
            else p.reject(new Error(`redis batch: no reply for call ${i + 1} of ${part.length}`));
          });
        },
        (err: unknown) => {
          for (const p of part) p.reject(err);
        },
      )
      .finally(() => {
        if (--inFlight === 0 && queue.size === 0) for (const w of waiters.splice(0)) w();
      });
  }

  function flush(): void {
    const groups = queue;
    queue = new Map();
    for (const batch of groups.values())
      for (let at = 0; at < batch.length; at += MAX_BATCH)
        sendPart(batch.slice(at, at + MAX_BATCH));
  }

  return {
    add(kind: Kind, keys: string[], args: Arg[], group = ''): Promise<Reply> {
      return new Promise((resolve, reject) => {
        if (queue.size === 0) setImmediate(flush);
        let batch = queue.get(group);
        if (batch === undefined) queue.set(group, (batch = []));
        batch.push({ kind, keys, args, resolve, reject });
      });
    },
    /** Resolves once every queued call has been answered. */
    idle(): Promise<void> {
      if (queue.size === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.push(resolve);
      });
    },
  };
}
