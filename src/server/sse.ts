import type { ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Writes stream chunks with backpressure: waits for `drain` when the socket buffer is full,
 * and stops (cancelling the upstream through the iterator) when the client goes away.
 */
export async function writeChunks(
  res: ServerResponse,
  chunks: AsyncIterable<Buffer>,
): Promise<void> {
  for await (const chunk of chunks) {
    if (res.destroyed) throw new GatewayError('client_closed');
    if (!res.write(chunk)) {
      const isOpen = await waitForDrain(res);
      if (!isOpen) throw new GatewayError('client_closed');
    }
  }
}

function waitForDrain(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
