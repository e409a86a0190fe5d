import { z } from 'zod';

/**
 * Zod building blocks shared by the run-time configuration (src/config.ts, the webhook sources)
 * and the stack's (lib/config/schema.ts), so a value the stack accepts is one the functions accept.
 */

/** Names of Jama environments and webhook sources: they become keys, paths and metric dimensions. */
export const resourceName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1–64 letters, digits, `_`, `.` or `-`');

/** Bounds of a Jama environment's calls per second (Jama's documented limit is 10, shared). */
export const RATE_LIMIT = { default: 10, max: 1000 } as const;

/** Bounds of `backgroundShare`: the fraction of the rate reconciliation may use on its own. */
export const BACKGROUND_SHARE = { default: 1, max: 1 } as const;
