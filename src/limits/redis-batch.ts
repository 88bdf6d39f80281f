type Arg = string | number;
type Reply = (number | string)[];

interface Pending {
  keys: string[];
  args: Arg[];
  /** How many reply entries are this call's. */
  replyLength: number;
  resolve: (reply: Reply) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 128;

/**
 * Work that runs after the last byte, off the request path (settlements, slot releases), waits
 * for the end of the current event-loop turn and goes to Redis together: one script call for
 * every request that finished in that turn, not one each. The script gets `ARGV[1]` = the number
 * of KEYS, then each call's arguments in turn; each caller gets its own slice of the reply.
 * Calls of different `group`s go apart: on a Redis Cluster a script's keys must share one slot,
 * so there the group is the subject (its hash tag); on one Redis every call is in one group.
 */
export function createBatcher(send: (keys: string[], args: Arg[]) => Promise<Reply>) {
  let queue = new Map<string, Pending[]>();
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  function sendPart(part: Pending[]): void {
    const keys = part.flatMap((p) => p.keys);
    const args = [keys.length, ...part.flatMap((p) => p.args)];
    inFlight++;
    send(keys, args)
      .then(
        (reply) => {
          let r = 0;
          for (const p of part) {
            p.resolve(reply.slice(r, r + p.replyLength));
            r += p.replyLength;
          }
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
    add(keys: string[], args: Arg[], replyLength: number, group = ''): Promise<Reply> {
      return new Promise((resolve, reject) => {
        if (queue.size === 0) setImmediate(flush);
        let batch = queue.get(group);
        if (batch === undefined) queue.set(group, (batch = []));
        batch.push({ keys, args, replyLength, resolve, reject });
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
