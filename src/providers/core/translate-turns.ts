import type { CanonicalMessage, CanonicalText } from './canonical.js';
import { malformed, notTranslatable, type WireFormat } from './translator.js';

/**
 * The walk every provider writer shares: leading system messages are collected as the target's
 * system texts (text only), a system message after the first turn and a message `name` are not
 * translatable to `format`, and every other message is handed to `turn` with its error path
 * (`messages[2]`), in order.
 */
export function walkTurns(
  messages: readonly CanonicalMessage[],
  format: WireFormat,
  turn: (message: CanonicalMessage, path: string) => void,
): CanonicalText[] {
  const system: CanonicalText[] = [];
  let hasTurns = false;
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (m.name !== undefined) throw notTranslatable(`${path}.name`, format);
    if (m.role === 'system') {
      if (hasTurns) throw notTranslatable(`${path}.role`, format);
      for (const p of m.content) {
        if (p.type !== 'text') throw malformed(`${path}.content`);
        system.push(p);
      }
      return;
    }
    hasTurns = true;
    turn(m, path);
  });
  return system;
}

/** Appends `items` to the last turn when it has the same role, else starts a turn. */
export function pushMerged<T>(
  turns: { role: string; items: T[] }[],
  role: string,
  items: T[],
): void {
  const last = turns[turns.length - 1];
  if (last !== undefined && last.role === role) last.items.push(...items);
  else turns.push({ role, items });
}
