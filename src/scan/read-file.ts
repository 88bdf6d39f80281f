import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type ReadOutcome = 'read' | 'binary' | 'too-large' | 'unreadable';

export interface ReadResult {
  readonly outcome: ReadOutcome;
  readonly bytes: number;
}

/** Git's heuristic: a NUL byte in the first 8000 bytes means binary. */
const BINARY_SNIFF_BYTES = 8000;

/**
 * Streams a text file into `onText`, one buffer at a time, through a caller-owned buffer
 * reused across files. Binary files and files over `maxBytes` are not read.
 *
 * Synchronous on purpose: the scan is bound by the CPU of one thread, and for files in the
 * page cache blocking reads are several times faster than a round trip through libuv's
 * thread pool per call (measured on the bench tree: 80 ms against 390 ms for 50 MB).
 */
export function readTextFile(
  path: string,
  buffer: Buffer,
  maxBytes: number,
  onText: (text: string) => void,
): ReadResult {
  let fd: number;
  try {
    // Never follow a symlink: a tracked link may point anywhere on the machine.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return { outcome: 'unreadable', bytes: 0 };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { outcome: 'unreadable', bytes: 0 };
    if (info.size > maxBytes) return { outcome: 'too-large', bytes: 0 };
    const decoder = new StringDecoder('utf8');
    let total = 0;
    // Read up to the size fstat reported: saves the extra read that would only see EOF.
    while (total < info.size) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const bytes = buffer.subarray(0, bytesRead);
      if (total === 0 && bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
        return { outcome: 'binary', bytes: 0 };
      }
      total += bytesRead;
      onText(decoder.write(bytes));
    }
    onText(decoder.end());
    return { outcome: 'read', bytes: total };
  } catch {
    return { outcome: 'unreadable', bytes: 0 };
  } finally {
    closeSync(fd);
  }
}
