import { crc32 } from 'node:zlib';

/**
 * The AWS event-stream binary framing (`application/vnd.amazon.eventstream`) that Bedrock's
 * ConverseStream answers in. Each message:
 *
 * ```
 * total length u32 | headers length u32 | prelude CRC32 u32 | headers | payload | message CRC32 u32
 * ```
 *
 * all big-endian; the prelude CRC covers the first 8 bytes, the message CRC everything before
 * it. A header is `name length u8 | name | type u8 | value`; Bedrock sends strings (type 7:
 * `u16 length | UTF-8`) for `:event-type`, `:message-type`, `:content-type` and
 * `:exception-type`. The decoder reads every documented type and refuses the rest.
 */

export type EventStreamHeaderValue = string | boolean | number | bigint | Buffer;

export interface EventStreamMessage {
  headers: Record<string, EventStreamHeaderValue>;
  payload: Buffer;
}

const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
const MIN_MESSAGE_BYTES = PRELUDE_BYTES + CRC_BYTES;
/** AWS caps a message at 16 MiB and its headers at 128 KiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_HEADERS_BYTES = 128 * 1024;

/** Why bytes are not an event stream: the CRC did not match, or a length is impossible. */
export class EventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamError';
  }
}

/** Encodes one message with string headers (all the mock and Bedrock need). */
export function encodeEventStreamMessage(
  headers: Readonly<Record<string, string>>,
  payload: Buffer,
): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(1 + nameBytes.length + 3);
    head.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(head, 1);
    head.writeUInt8(7, 1 + nameBytes.length);
    head.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    parts.push(head, valueBytes);
  }
  const headerBytes = Buffer.concat(parts);
  const total = PRELUDE_BYTES + headerBytes.length + payload.length + CRC_BYTES;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, PRELUDE_BYTES);
  payload.copy(out, PRELUDE_BYTES + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - CRC_BYTES)), total - CRC_BYTES);
  return out;
}

/** Splits a byte stream into messages; chunks may cut a message anywhere. */
export class EventStreamDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes = MAX_MESSAGE_BYTES) {}

  /** The complete messages so far; throws `EventStreamError` on a corrupt or oversized one. */
  push(chunk: Buffer): EventStreamMessage[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: EventStreamMessage[] = [];
    while (this.buffered.length >= PRELUDE_BYTES) {
      const total = this.checkPrelude(this.buffered);
      if (this.buffered.length < total) break;
      messages.push(decodeMessage(this.buffered.subarray(0, total)));
      this.buffered = this.buffered.subarray(total);
    }
    return messages;
  }

  /** Bytes of an incomplete message still held (a stream that ends here was cut). */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  private checkPrelude(buf: Buffer): number {
    const total = buf.readUInt32BE(0);
    const headersLength = buf.readUInt32BE(4);
    if (crc32(buf.subarray(0, 8)) !== buf.readUInt32BE(8)) {
      throw new EventStreamError('prelude checksum mismatch');
    }
    if (
      total < MIN_MESSAGE_BYTES ||
      total > this.maxMessageBytes ||
      headersLength > MAX_HEADERS_BYTES ||
      headersLength > total - MIN_MESSAGE_BYTES
    ) {
      throw new EventStreamError(`impossible message length ${total} (headers ${headersLength})`);
    }
    return total;
  }
}

function decodeMessage(msg: Buffer): EventStreamMessage {
  const total = msg.length;
  if (crc32(msg.subarray(0, total - CRC_BYTES)) !== msg.readUInt32BE(total - CRC_BYTES)) {
    throw new EventStreamError('message checksum mismatch');
  }
  const headersEnd = PRELUDE_BYTES + msg.readUInt32BE(4);
  return {
    headers: decodeHeaders(msg.subarray(PRELUDE_BYTES, headersEnd)),
    payload: Buffer.from(msg.subarray(headersEnd, total - CRC_BYTES)),
  };
}

function decodeHeaders(buf: Buffer): Record<string, EventStreamHeaderValue> {
  const headers: Record<string, EventStreamHeaderValue> = Object.create(null) as Record<
    string,
    EventStreamHeaderValue
  >;
  let at = 0;
  const need = (n: number): void => {
    if (at + n > buf.length) throw new EventStreamError('header runs past its section');
  };
  while (at < buf.length) {
    need(1);
    const nameLength = buf.readUInt8(at);
    need(1 + nameLength + 1);
    const name = buf.toString('utf8', at + 1, at + 1 + nameLength);
    const type = buf.readUInt8(at + 1 + nameLength);
    at += 2 + nameLength;
    headers[name] = readValue(type);
  }
  return headers;

  // Long switch, one line per documented header type.
  function readValue(type: number): EventStreamHeaderValue {
    const fixed = (n: number): Buffer => {
      need(n);
      const out = buf.subarray(at, at + n);
      at += n;
      return out;
    };
    switch (type) {
      case 0:
        return true;
      case 1:
        return false;
      case 2:
        return fixed(1).readInt8(0);
      case 3:
        return fixed(2).readInt16BE(0);
      case 4:
        return fixed(4).readInt32BE(0);
      case 5:
        return fixed(8).readBigInt64BE(0);
      case 8:
        return fixed(8).readBigInt64BE(0);
      case 9:
        return Buffer.from(fixed(16));
      case 6:
      case 7: {
        const length = fixed(2).readUInt16BE(0);
        const value = fixed(length);
        return type === 7 ? value.toString('utf8') : Buffer.from(value);
      }
      default:
        throw new EventStreamError(`unknown header value type ${type}`);
    }
  }
}
