import { HOSTILE_MODES, type HostileMode } from './hostile.js';
import { MOCK_REPLY_SHAPES, type MockReplyShape } from './reply.js';

/** What the mock provider should do wrong (or differently) for one request. */
export interface MockFault {
  /** Reply with this HTTP status and a provider-shaped error body. */
  status?: number;
  /** With `status`: send a `Retry-After` header. */
  retryAfterSec?: number;
  /** With `status`: the message inside the error body. */
  errorMessage?: string;
  /**
   * With `status`: the error message contains the full API key the request carried. Real
   * providers echo a partly masked key; we echo all of it so the gateway's scrubber is tested.
   */
  echoKey?: boolean;
  /** Wait this long before sending headers (a real timer). */
  delayMs?: number;
  /** Destroy the socket without any response. */
  reset?: boolean;
  /** 200 with a JSON content type but a body that is not JSON; streams: one SSE data line. */
  malformedJson?: boolean;
  /** Streams: send N content chunks, then destroy the socket. */
  truncateAfterChunks?: number;
  /** Streams: send N content chunks, then send nothing more until the client or server leaves. */
  stallAfterChunks?: number;
  /** Exact assistant text to return instead of the default echo. */
  reply?: string;
  /** Streams: characters of reply per content chunk (default 8). */
  chunkSize?: number;
  /**
   * Reasoning text before the answer: an Anthropic `thinking` block (signed), a chat
   * `reasoning_content`. Streamed `chunkSize` characters a delta.
   */
  reasoning?: string;
  /**
   * Chat Completions: carry the reply as the legacy `function_call` (its `arguments` are
   * `{"text": reply}`) or as an audio reply's `audio.transcript`, instead of `content`.
   * Streamed `chunkSize` characters a delta.
   */
  replyAs?: MockReplyShape;
  /** Echo the request's API key in one place of the reply (see `hostile.ts`). */
  hostile?: HostileMode;
}

export type FaultParse = { ok: true; faults: MockFault[] } | { ok: false; problem: string };

type Check = (value: unknown) => boolean;

const isBool: Check = (v) => typeof v === 'boolean';
const isString: Check = (v) => typeof v === 'string';
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isPositiveInt: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 1;
const isErrorStatus: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 400 && (v as number) <= 599;
/** Ten minutes: long enough for any timeout test, short enough that a typo cannot wedge a run. */
const MAX_DELAY_MS = 600_000;
const isDelay: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_DELAY_MS;

const fields: Record<keyof MockFault, { check: Check; expected: string }> = {
  status: { check: isErrorStatus, expected: 'an integer from 400 to 599' },
  retryAfterSec: { check: isCount, expected: 'a non-negative integer' },
  errorMessage: { check: isString, expected: 'a string' },
  echoKey: { check: isBool, expected: 'a boolean' },
  delayMs: { check: isDelay, expected: `a number from 0 to ${MAX_DELAY_MS}` },
  reset: { check: isBool, expected: 'a boolean' },
  malformedJson: { check: isBool, expected: 'a boolean' },
  truncateAfterChunks: { check: isCount, expected: 'a non-negative integer' },
  stallAfterChunks: { check: isCount, expected: 'a non-negative integer' },
  reply: { check: isString, expected: 'a string' },
  chunkSize: { check: isPositiveInt, expected: 'a positive integer' },
  reasoning: { check: isString, expected: 'a string' },
  replyAs: {
    check: (v) => (MOCK_REPLY_SHAPES as readonly unknown[]).includes(v),
    expected: `one of ${MOCK_REPLY_SHAPES.join(', ')}`,
  },
  hostile: {
    check: (v) => (HOSTILE_MODES as readonly unknown[]).includes(v),
    expected: `one of ${HOSTILE_MODES.join(', ')}`,
  },
};

function isFaultKey(key: string): key is keyof MockFault {
  return Object.hasOwn(fields, key);
}

/** Validates one fault object; returns the problem, or the fault. */
export function parseFault(
  input: unknown,
): { ok: true; fault: MockFault } | { ok: false; problem: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problem: 'a fault must be a JSON object' };
  }
  const fault: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!isFaultKey(key)) return { ok: false, problem: `unknown fault field "${key}"` };
    if (value === undefined) continue;
    const spec = fields[key];
    if (!spec.check(value)) return { ok: false, problem: `"${key}" must be ${spec.expected}` };
    fault[key] = value;
  }
  const typed = fault as MockFault;
  const problem = conflict(typed);
  return problem === undefined ? { ok: true, fault: typed } : { ok: false, problem };
}

function conflict(f: MockFault): string | undefined {
  if (f.status === undefined) {
    for (const key of ['retryAfterSec', 'errorMessage', 'echoKey'] as const) {
      if (f[key] !== undefined) return `"${key}" needs "status"`;
    }
  }
  if (f.reset === true && f.status !== undefined) return '"reset" and "status" exclude each other';
  if (f.hostile !== undefined && f.status !== undefined) {
    return '"hostile" and "status" exclude each other';
  }
  if (f.truncateAfterChunks !== undefined && f.stallAfterChunks !== undefined) {
    return '"truncateAfterChunks" and "stallAfterChunks" exclude each other';
  }
  return undefined;
}

/** Validates one fault or an array of them (the control API and `x-mock-fault` accept both). */
export function parseFaults(input: unknown): FaultParse {
  const items = Array.isArray(input) ? (input as unknown[]) : [input];
  const faults: MockFault[] = [];
  for (const [i, item] of items.entries()) {
    const parsed = parseFault(item);
    if (!parsed.ok) {
      return {
        ok: false,
        problem: Array.isArray(input) ? `[${i}]: ${parsed.problem}` : parsed.problem,
      };
    }
    faults.push(parsed.fault);
  }
  return { ok: true, faults };
}
