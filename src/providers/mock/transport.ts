import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorBody, errorHeaders, requestIdHeader, type MockDialect } from './errors.js';
import { encodeFrame, streamContentType, streamTail, type StreamFraming } from './framing.js';
import type { MockFault } from './faults.js';
import type { MockReply } from './reply.js';
import { createResponseSink, type SseFrame } from './sse.js';

export interface SendContext {
  dialect: MockDialect;
  requestId: string;
  fault: MockFault | undefined;
}

/** A prefix of a JSON object's text is never valid JSON: the closing brace is missing. */
function breakJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

function baseHeaders(ctx: SendContext, contentType: string): Record<string, string> {
  return { 'content-type': contentType, [requestIdHeader(ctx.dialect)]: ctx.requestId };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  ctx: SendContext,
  extra: Record<string, string> = {},
): void {
  const headers = { ...baseHeaders(ctx, 'application/json'), ...extra };
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

/** Sends an endpoint's reply, applying the fault's body-level effects on the way. */
export async function sendReply(
  res: ServerResponse,
  reply: MockReply,
  ctx: SendContext,
): Promise<void> {
  switch (reply.kind) {
    case 'error': {
      const extra: Record<string, string> = errorHeaders(reply.error, ctx.dialect);
      if (reply.error.retryAfterSec !== undefined) {
        extra['retry-after'] = String(reply.error.retryAfterSec);
      }
      sendJson(
        res,
        reply.error.status,
        JSON.stringify(errorBody(reply.error, ctx.dialect)),
        ctx,
        extra,
      );
      return;
    }
    case 'json': {
      const text = JSON.stringify(reply.body);
      sendJson(
        res,
        reply.status ?? 200,
        ctx.fault?.malformedJson === true ? breakJson(text) : text,
        ctx,
      );
      return;
    }
    case 'stream':
      await sendStream(res, reply.frames, reply.framing ?? 'sse', ctx);
      return;
  }
}

/**
 * Where a truncated or stalled stream stops: right after the Nth content frame (N = 0: before
 * the first), and never past the last content frame, so no end-of-stream event is sent.
 */
function cutIndex(frames: readonly SseFrame[], afterChunks: number): number {
  const content: number[] = [];
  frames.forEach((f, i) => {
    if (f.isContent) content.push(i);
  });
  const first = content[0];
  if (first === undefined) return Math.min(1, frames.length);
  if (afterChunks === 0) return first;
  return (content[Math.min(afterChunks, content.length) - 1] ?? first) + 1;
}

function withMalformedFrame(frames: SseFrame[]): SseFrame[] {
  const target = Math.max(
    0,
    frames.findIndex((f) => f.isContent),
  );
  return frames.map((f, i) => (i === target ? { ...f, data: breakJson(f.data) } : f));
}

async function sendStream(
  res: ServerResponse,
  allFrames: SseFrame[],
  framing: StreamFraming,
  ctx: SendContext,
): Promise<void> {
  const fault = ctx.fault;
  const stopAfter = fault?.truncateAfterChunks ?? fault?.stallAfterChunks;
  const frames = fault?.malformedJson === true ? withMalformedFrame(allFrames) : allFrames;
  const end = stopAfter === undefined ? frames.length : cutIndex(frames, stopAfter);
  res.writeHead(200, {
    ...baseHeaders(ctx, streamContentType(framing)),
    'cache-control': 'no-cache',
  });
  res.flushHeaders();
  const sink = createResponseSink(res);
  for (const [i, frame] of frames.slice(0, end).entries()) {
    // Yield between events so a client that left is noticed before the next write.
    await nextTurn();
    if (!(await sink.write(encodeFrame(framing, frame, i)))) return;
  }
  if (fault?.truncateAfterChunks !== undefined) {
    await sink.flushed();
    res.destroy();
    return;
  }
  if (fault?.stallAfterChunks !== undefined) {
    await sink.closed();
    return;
  }
  res.end(streamTail(framing));
}
