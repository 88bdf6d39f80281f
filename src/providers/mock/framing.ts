import { encodeEventStreamMessage } from '../bedrock/event-stream.js';
import { formatFrame, type SseFrame } from './sse.js';

/**
 * How a stream's events are put on the wire: OpenAI and Anthropic SSE (LF), Gemini SSE
 * (`?alt=sse`, CRLF), Gemini's default streamed JSON array, and Bedrock's binary AWS event
 * stream.
 */
export type StreamFraming = 'sse' | 'sse-crlf' | 'json-array' | 'aws-event-stream';

export function streamContentType(framing: StreamFraming): string {
  switch (framing) {
    case 'sse':
    case 'sse-crlf':
      return 'text/event-stream; charset=utf-8';
    case 'json-array':
      return 'application/json; charset=UTF-8';
    case 'aws-event-stream':
      return 'application/vnd.amazon.eventstream';
  }
}

/** The bytes of the `index`th frame. */
export function encodeFrame(
  framing: StreamFraming,
  frame: SseFrame,
  index: number,
): string | Buffer {
  switch (framing) {
    case 'sse':
      return formatFrame(frame);
    case 'sse-crlf':
      return `data: ${frame.data}\r\n\r\n`;
    case 'json-array':
      return `${index === 0 ? '[' : ',\r\n'}${frame.data}\n`;
    case 'aws-event-stream': {
      const headers: Record<string, string> =
        frame.exception === undefined
          ? {
              ':event-type': frame.event ?? 'unknown',
              ':content-type': 'application/json',
              ':message-type': 'event',
            }
          : {
              ':exception-type': frame.exception,
              ':content-type': 'application/json',
              ':message-type': 'exception',
            };
      return encodeEventStreamMessage(headers, Buffer.from(frame.data, 'utf8'));
    }
  }
}

/** What closes a complete stream (the JSON array's bracket). */
export function streamTail(framing: StreamFraming): string {
  return framing === 'json-array' ? ']' : '';
}
