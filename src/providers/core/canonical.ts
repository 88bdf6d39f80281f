/**
 * The canonical model every wire format translates to and from (ARCHITECTURE: "one API across
 * providers"). A caller's request is read into a `CanonicalRequest` by its format's translator
 * and written out by the target provider's; the reply (JSON or stream events) goes back the
 * same way. It holds what at least two formats can express; a field a format cannot carry is
 * refused by that format's translator with `field_not_translatable` naming it, never dropped.
 *
 * Stable: change it additively only (other translators build on it).
 */

/** JSON values as they appear in tool schemas and tool arguments. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/**
 * `system` covers OpenAI's `system` and `developer` roles and Anthropic's top-level `system`;
 * `tool` carries tool results (Anthropic puts them in a user turn, Gemini in a function turn).
 */
export type CanonicalRole = 'system' | 'user' | 'assistant' | 'tool';

export interface CanonicalText {
  readonly type: 'text';
  readonly text: string;
}

/** An image the model should see: by URL, or inline bytes (base64) with their media type. */
export interface CanonicalImage {
  readonly type: 'image';
  readonly source:
    | { readonly kind: 'url'; readonly url: string }
    | { readonly kind: 'base64'; readonly mediaType: string; readonly data: string };
  /** OpenAI's `detail`; other formats have no equivalent and refuse a value other than `auto`. */
  readonly detail?: 'auto' | 'low' | 'high';
}

/** A call the assistant makes. `arguments` is JSON text (OpenAI's form; objects are serialised). */
export interface CanonicalToolCall {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** The answer to a tool call, sent back by the caller in a `tool` message. */
export interface CanonicalToolResult {
  readonly type: 'tool_result';
  readonly toolCallId: string;
  readonly content: readonly (CanonicalText | CanonicalImage)[];
  /** Anthropic's `is_error`; OpenAI cannot say it and refuses `true`. */
  readonly isError?: boolean;
}

export type CanonicalPart =
  CanonicalText | CanonicalImage | CanonicalToolCall | CanonicalToolResult;

export interface CanonicalMessage {
  readonly role: CanonicalRole;
  /** In order. A plain-string message is one text part. */
  readonly content: readonly CanonicalPart[];
  /** OpenAI's participant `name`; Anthropic cannot carry it and refuses it. */
  readonly name?: string;
}

export interface CanonicalTool {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: { readonly [k: string]: JsonValue };
  /** OpenAI's `strict`. */
  readonly strict?: boolean;
}

export type CanonicalToolChoice =
  | { readonly type: 'auto' }
  | { readonly type: 'none' }
  /** Must call some tool: OpenAI `required`, Anthropic `any`. */
  | { readonly type: 'required' }
  | { readonly type: 'tool'; readonly name: string };

export type CanonicalResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: { readonly [k: string]: JsonValue };
      readonly description?: string;
      readonly strict?: boolean;
    };

export interface CanonicalRequest {
  /** The model name the caller sent; the provider translator is told the upstream name. */
  readonly model: string;
  readonly messages: readonly CanonicalMessage[];
  readonly tools?: readonly CanonicalTool[];
  readonly toolChoice?: CanonicalToolChoice;
  /** False: at most one tool call per turn (OpenAI `parallel_tool_calls`, Anthropic `disable_parallel_tool_use`). */
  readonly parallelToolCalls?: boolean;
  readonly responseFormat?: CanonicalResponseFormat;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  /** Anthropic and Gemini only. */
  readonly topK?: number;
  /**
   * Reasoning asked for: OpenAI `reasoning_effort` / Responses `reasoning.effort`, mapped from
   * an Anthropic caller's `thinking.budget_tokens` (docs/translation.md).
   */
  readonly reasoningEffort?: 'low' | 'medium' | 'high';
  readonly stop?: readonly string[];
  readonly stream: boolean;
  /** Streams: the caller asked for a usage event (OpenAI `stream_options.include_usage`). */
  readonly includeUsage?: boolean;
  /** An end-user id for the provider's abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly user?: string;
}

/**
 * Why generation stopped. `stop` is a natural end, `stop_sequence` a caller's stop string
 * (OpenAI reports both as `stop`), `length` the token cap, `tool_calls` a turn that ends in
 * tool calls, `content_filter` a provider refusal.
 */
export type CanonicalFinishReason =
  'stop' | 'stop_sequence' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Token counts as the provider reported them. `inputTokens` counts every prompt token,
 * cached ones included (OpenAI's `prompt_tokens`; Anthropic's `input_tokens` plus its two
 * cache counts), so budgets price the same total whichever format reported it.
 */
export interface CanonicalUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Prompt tokens read from the provider's cache (part of `inputTokens`). */
  readonly cachedInputTokens?: number;
  /** Prompt tokens written to the provider's cache (Anthropic; part of `inputTokens`). */
  readonly cacheWriteInputTokens?: number;
}

/** A finished, non-streamed assistant turn. */
export interface CanonicalResponse {
  readonly id: string;
  /** The model the provider says answered. */
  readonly model: string;
  /** Text and tool calls, in order. */
  readonly content: readonly (CanonicalText | CanonicalToolCall)[];
  readonly finishReason: CanonicalFinishReason;
  /** The stop string that matched, when the provider says which. */
  readonly stopSequence?: string;
  readonly usage: CanonicalUsage;
  /** Unix seconds; the caller-side translator uses now when absent. */
  readonly createdSec?: number;
}

/**
 * One step of a streamed turn. Content is addressed by `index`, the position of its part in
 * the turn (as Anthropic numbers content blocks): a text part or a tool call opens with its
 * `*_start`, grows by deltas and closes with `part_stop`. Decoders make these from provider
 * events; encoders turn them into the caller's events. Order: `start`, parts, `finish`,
 * `usage` (may come earlier, and more than once: the last one wins), `end`.
 */
export type CanonicalStreamEvent =
  | { readonly type: 'start'; readonly id: string; readonly model: string }
  | { readonly type: 'text_start'; readonly index: number }
  | { readonly type: 'text_delta'; readonly index: number; readonly text: string }
  | {
      readonly type: 'tool_call_start';
      readonly index: number;
      readonly id: string;
      readonly name: string;
    }
  | { readonly type: 'tool_call_delta'; readonly index: number; readonly argumentsDelta: string }
  | { readonly type: 'part_stop'; readonly index: number }
  | {
      readonly type: 'finish';
      readonly reason: CanonicalFinishReason;
      readonly stopSequence?: string;
    }
  | { readonly type: 'usage'; readonly usage: CanonicalUsage }
  /** The provider's end-of-stream marker: the turn is complete. */
  | { readonly type: 'end' };
