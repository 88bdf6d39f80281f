/**
 * The mock's tool use, the same for every dialect: when a request declares tools and its last
 * turn is the user's, the model calls the first tool, with each required argument filled
 * (strings with the user's last text); when the last turn carries a tool's result, it answers
 * in text naming the tool and its result. So a tool-call round trip is predictable.
 */

export interface DeclaredTool {
  name: string;
  /** JSON schema of the arguments. */
  parameters: unknown;
}

export interface MockToolCall {
  name: string;
  args: Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function sample(schema: unknown, text: string): unknown {
  switch (record(schema)?.type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return text;
  }
}

/** The call the mock makes, or undefined when it answers in text. */
export function chooseToolCall(
  tools: readonly DeclaredTool[],
  lastUserText: string,
): MockToolCall | undefined {
  const tool = tools[0];
  if (tool === undefined) return undefined;
  const schema = record(tool.parameters);
  const properties = record(schema?.properties) ?? {};
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : [];
  const args: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name === 'string') args[name] = sample(properties[name], lastUserText);
  }
  return { name: tool.name, args };
}

/** The text answer to a tool's result. */
export function toolResultReply(model: string, toolName: string, result: unknown): string {
  return `Mock reply from ${model}: ${toolName} returned ${JSON.stringify(result)}`;
}
