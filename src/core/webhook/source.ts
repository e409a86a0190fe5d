import { z } from 'zod';
import { resourceName } from '../config-blocks';
import { type Mapping, mappingSchema } from './mapping';

const name = resourceName;

/** `'native'` or a mapping; a union would only say "Invalid input", so a mapping's own issues are passed on. */
const mappingOption = z.unknown().transform((value, ctx): Mapping => {
  if (value === undefined || value === 'native') return 'native';
  if (typeof value !== 'object' || value === null) {
    ctx.addIssue({ code: 'custom', message: 'expected "native" or a mapping object' });
    return z.NEVER;
  }
  const result = mappingSchema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/**
 * One configured webhook sender, reached at `POST /webhooks/<name>`. Its events become jobs of the
 * Jama environment `env`. The secret is inline (local) or in Secrets Manager as `{"secret": "…"}`.
 */
export const webhookSourceSchema = z
  .strictObject({
    name,
    /** The Jama environment the events belong to. @default the only configured environment */
    env: name.optional(),
    secret: z.string().min(16, 'use at least 16 characters').optional(),
    secretArn: z.string().startsWith('arn:').optional(),
    /** How to read the payload. @default 'native' */
    mapping: mappingOption.default('native'),
  })
  .refine((s) => (s.secret === undefined) !== (s.secretArn === undefined), {
    message: 'give exactly one of secret or secretArn',
  });

/** A configured source, its environment settled by the config loader. */
export type WebhookSourceConfig = z.infer<typeof webhookSourceSchema> & { env: string };

/** A source ready to verify requests: its secret resolved. */
export interface WebhookSource {
  name: string;
  env: string;
  secret: string;
  mapping: Mapping;
}
