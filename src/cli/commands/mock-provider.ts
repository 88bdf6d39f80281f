import { parseArgs } from 'node:util';
import { createMockProvider } from '../../providers/mock/server.js';
import type { CliCommand } from '../command.js';
import { describeListenError, parsePort } from '../listen-errors.js';

export const command: CliCommand = {
  name: 'mock-provider',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '9000' },
        host: { type: 'string', default: '127.0.0.1' },
        'api-key': { type: 'string', multiple: true },
      },
    });
    const keys = values['api-key'];
    const mock = createMockProvider(keys === undefined ? {} : { apiKeys: keys });
    const port = parsePort(values.port, '--port');
    let url: string;
    try {
      url = await mock.listen(port, values.host);
    } catch (err) {
      throw describeListenError(err, [{ port, what: 'port', fix: 'pick another with --port' }]);
    }
    io.stdout.write(`${JSON.stringify({ event: 'mock_provider_listening', url })}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    await mock.close();
    return 0;
  },
};
