import { z } from 'zod';
import { configSchema } from '../../config/schema.js';
import type { CliCommand } from '../command.js';

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, $id: 'https://bastion.dev/schema/bastion.schema.json', title: 'Bastion configuration' }, null, 2)}\n`;
}

export const command: CliCommand = {
  name: 'config schema',
  run(_args, io) {
    io.stdout.write(configJsonSchema());
    return Promise.resolve(0);
  },
};
