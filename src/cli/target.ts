import { UsageError } from '../core/errors';
import type { Deployment } from '../ops/deployment';
import { openLocal } from '../ops/local-target';
import { openStack } from '../ops/stack-target';

/** Flags every operator command takes to pick its target. */
export const TARGET_FLAGS = {
  local: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

export const TARGET_HELP = `Target (default --local):
  --local                The \`jama-sync local\` running from this directory (.jama-sync/local.json)
  --stack NAME           A deployed stack, found through its CloudFormation outputs; AWS
                         credentials come from your usual chain (AWS_PROFILE, SSO, …)
  --region R             The stack's region (default: AWS_REGION, AWS_DEFAULT_REGION, or your
                         profile's)`;

/** Opens the target the flags name. */
export async function openTarget(
  values: { local?: boolean | undefined; stack?: string | undefined; region?: string | undefined },
  cwd = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): Promise<Deployment> {
  if (values.stack !== undefined) {
    if (values.local) throw new UsageError('Give either `--local` or `--stack NAME`, not both.');
    if (!values.stack) throw new UsageError('`--stack` needs the stack name, e.g. `--stack JamaSync`.');
    // The AWS CLI honours AWS_DEFAULT_REGION; the JavaScript SDK reads only AWS_REGION.
    const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
    return openStack(values.stack, region);
  }
  if (values.region !== undefined) throw new UsageError('`--region` goes with `--stack NAME`.');
  return openLocal(cwd);
}

/** Opens the target, runs `work`, and closes the target's clients. */
export async function withTarget<T>(
  values: Parameters<typeof openTarget>[0],
  work: (d: Deployment) => Promise<T>,
): Promise<T> {
  const d = await openTarget(values);
  try {
    return await work(d);
  } finally {
    d.close();
  }
}
