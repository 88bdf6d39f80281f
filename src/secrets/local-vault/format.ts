import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** One sealed secret: a fresh data key per version, wrapped by the KEK; the value sealed by it. */
const entrySchema = z
  .object({
    /** The data key wrapped by the KEK (opaque to the vault: a KMS hook chooses its format). */
    key: z.string().min(1).max(8192),
    iv: base64,
    tag: base64,
    data: base64.max(200_000),
    version: z.number().int().positive(),
    createdAt: z.string().max(40),
    updatedAt: z.string().max(40),
  })
  .strict();

export const vaultFileSchema = z
  .object({
    format: z.literal('bastion-vault'),
    version: z.literal(1),
    /** Identifies the KEK (a check value or a KMS key id), never the KEK itself. */
    kekId: z.string().min(1).max(512),
    /** The key of `mac`, wrapped by the KEK. */
    macKey: z.string().min(1).max(8192),
    /** HMAC-SHA256 over every entry: entries added, removed or swapped outside the CLI are refused. */
    mac: base64,
    secrets: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/), entrySchema),
  })
  .strict();

export type VaultFile = z.infer<typeof vaultFileSchema>;
export type VaultEntry = z.infer<typeof entrySchema>;
