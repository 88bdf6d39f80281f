import { randomBase62 } from './ids.js';
import { contentTexts } from './tokens.js';

/**
 * Tool use, as the mock plays it: when a request offers tools (and does not forbid them) and
 * its last turn is not a tool result, the reply calls one tool — the forced one, else the
 * first — with `{"input": <last user text>}`. When the last turn carries tool results, the
 * reply echoes their text. So a client can run a whole tool round trip against it.
 */
export interface MockToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text of the arguments object. */
  readonly arguments: string;
}

type Body = Record<string, unknown>;
type Dialect = 'chat' | 'anthropic';

const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

function toolNames(body: Body, dialect: Dialect): string[] {
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  const names: string[] = [];
  for (const t of tools) {
    if (!isObj(t)) continue;
    const name = dialect === 'chat' && isObj(t.function) ? t.function.name : t.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

function forcedName(body: Body, dialect: Dialect): string | undefined | null {
  const choice = body.tool_choice;
  if (choice === 'none' || (isObj(choice) && choice.type === 'none')) return null;
  if (!isObj(choice)) return undefined;
  if (dialect === 'chat' && isObj(choice.function) && typeof choice.function.name === 'string') {
    return choice.function.name;
  }
  return dialect === 'anthropic' && choice.type === 'tool' && typeof choice.name === 'string'
    ? choice.name
    : undefined;
}

/** Text of the tool results in the last turn, or undefined when the last turn has none. */
export function lastToolResultText(body: Body, dialect: Dialect): string | undefined {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const last = messages[messages.length - 1];
  if (!isObj(last)) return undefined;
  if (dialect === 'chat') {
    if (last.role !== 'tool') return undefined;
    const texts: string[] = [];
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (!isObj(m) || m.role !== 'tool') break;
      texts.unshift(...contentTexts(m.content));
    }
    return texts.join('\n');
  }
  if (last.role !== 'user' || !Array.isArray(last.content)) return undefined;
  const results = (last.content as unknown[]).filter(
    (b): b is Body => isObj(b) && b.type === 'tool_result',
  );
  if (results.length === 0) return undefined;
  return results.flatMap((b) => contentTexts(b.content)).join('\n');
}

export function plannedToolCall(
  body: Body,
  dialect: Dialect,
  lastUserText: string,
): MockToolCall | undefined {
  const names = toolNames(body, dialect);
  const forced = forcedName(body, dialect);
  if (names.length === 0 || forced === null) return undefined;
  if (lastToolResultText(body, dialect) !== undefined) return undefined;
  const name = forced !== undefined && names.includes(forced) ? forced : (names[0] as string);
  const id = dialect === 'chat' ? `call_${randomBase62(24)}` : `toolu_01${randomBase62(22)}`;
  return { id, name, arguments: JSON.stringify({ input: lastUserText }) };
}

/** A tool a Gemini or Bedrock request declares. */
export interface DeclaredTool {
  name: string;
}

/**
 * The same play for formats whose tool calls carry an arguments object (Gemini, Bedrock):
 * the first declared tool, called with `{"input": <last user text>}`; the caller's format
 * gives the call its id.
 */
export function chooseToolCall(
  tools: readonly DeclaredTool[],
  lastUserText: string,
): { name: string; args: { input: string } } | undefined {
  const tool = tools[0];
  return tool === undefined ? undefined : { name: tool.name, args: { input: lastUserText } };
}

/** The text of a tool result's content as Gemini and Bedrock carry it (an object, or blocks). */
export function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  if (Array.isArray(result)) {
    const texts = contentTexts(result);
    if (texts.length > 0) return texts.join('\n');
  }
  return JSON.stringify(result ?? null);
}
