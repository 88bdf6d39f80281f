import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, EventStreamError, encodeEventStreamMessage } from './event-stream.js';

const event = (type: string, body: unknown): Buffer =>
  encodeEventStreamMessage(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(body)),
  );

describe('AWS event-stream framing', () => {
  it('decodes what it encodes, whatever the chunk boundaries', () => {
    const bytes = Buffer.concat([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo' } }),
      event('messageStop', { stopReason: 'end_turn' }),
    ]);
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const decoder = new EventStreamDecoder();
      const out = [];
      for (let i = 0; i < bytes.length; i += size)
        out.push(...decoder.push(bytes.subarray(i, i + size)));
      expect(out.map((m) => m.headers[':event-type'])).toEqual([
        'messageStart',
        'contentBlockDelta',
        'messageStop',
      ]);
      expect(JSON.parse(out[1]!.payload.toString('utf8'))).toEqual({
        contentBlockIndex: 0,
        delta: { text: 'héllo' },
      });
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('matches the layout AWS documents: lengths and both CRCs big-endian', () => {
    const msg = encodeEventStreamMessage({ a: 'b' }, Buffer.from('xy'));
    // header: 1 (name len) + 1 (name) + 1 (type) + 2 (value len) + 1 (value) = 6
    expect(msg.readUInt32BE(0)).toBe(12 + 6 + 2 + 4);
    expect(msg.readUInt32BE(4)).toBe(6);
    expect(msg.readUInt32BE(8)).toBe(crc32(msg.subarray(0, 8)));
    expect(msg.readUInt32BE(msg.length - 4)).toBe(crc32(msg.subarray(0, msg.length - 4)));
  });

  it('reads every documented header type', () => {
    const headers = Buffer.concat([
      Buffer.from([1, 0x74, 0]), // t: true
      Buffer.from([1, 0x66, 1]), // f: false
      Buffer.from([1, 0x69, 4, 0, 0, 1, 0]), // i: int32 256
      Buffer.from([1, 0x62, 6, 0, 2, 0xde, 0xad]), // b: bytes
    ]);
    const total = 12 + headers.length + 4;
    const msg = Buffer.alloc(total);
    msg.writeUInt32BE(total, 0);
    msg.writeUInt32BE(headers.length, 4);
    msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
    headers.copy(msg, 12);
    msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
    const [decoded] = new EventStreamDecoder().push(msg);
    expect(decoded?.headers).toMatchObject({ t: true, f: false, i: 256 });
    expect(decoded?.headers.b).toEqual(Buffer.from([0xde, 0xad]));
  });

  it('detects a flipped bit in the payload (message CRC)', () => {
    const msg = event('contentBlockDelta', { delta: { text: 'hello' } });
    msg[msg.length - 8] = (msg[msg.length - 8] as number) ^ 0x01;
    expect(() => new EventStreamDecoder().push(msg)).toThrow(/message checksum/);
  });

  it('detects a corrupted length (prelude CRC) before waiting for that many bytes', () => {
    const msg = event('messageStop', {});
    msg.writeUInt32BE(0x7fffffff, 0);
    expect(() => new EventStreamDecoder().push(msg)).toThrow(EventStreamError);
    expect(() => new EventStreamDecoder().push(msg)).toThrow(/prelude checksum/);
  });

  it('refuses a message longer than its cap, even with a valid prelude', () => {
    const big = encodeEventStreamMessage({}, Buffer.alloc(2048));
    expect(() => new EventStreamDecoder(1024).push(big)).toThrow(/impossible message length/);
  });

  it('refuses an unknown header type and a header that runs past its section', () => {
    const bad = (headers: Buffer): Buffer => {
      const total = 12 + headers.length + 4;
      const msg = Buffer.alloc(total);
      msg.writeUInt32BE(total, 0);
      msg.writeUInt32BE(headers.length, 4);
      msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
      headers.copy(msg, 12);
      msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
      return msg;
    };
    expect(() => new EventStreamDecoder().push(bad(Buffer.from([1, 0x78, 42])))).toThrow(
      /unknown header value type/,
    );
    expect(() => new EventStreamDecoder().push(bad(Buffer.from([1, 0x78, 7, 0, 9, 1])))).toThrow(
      /runs past/,
    );
  });

  it('holds an incomplete message until the rest arrives', () => {
    const msg = event('messageStop', { stopReason: 'end_turn' });
    const decoder = new EventStreamDecoder();
    expect(decoder.push(msg.subarray(0, 20))).toEqual([]);
    expect(decoder.pendingBytes).toBe(20);
    expect(decoder.push(msg.subarray(20))).toHaveLength(1);
  });
});
