import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../../lib/config/from-context';
import { type FunctionEntries, findProjectRoot, functionEntries } from '../../lib/entries';
import { JamaSyncStack } from '../../lib/jama-sync-stack';

/** Stands in for the webhook and reconcile handlers while they do not exist. */
export const PLACEHOLDER = path.join(__dirname, 'fixtures', 'placeholder-handler.ts');

/** The smallest valid context: one environment through the single-environment shortcut. */
export const MINIMAL = { jamaUrl: 'https://acme.jamacloud.com', projects: '20,21' };

export const PROJECT_ROOT = findProjectRoot(__dirname);

const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context?: Record<string, unknown>;
};

/** Every function, with the real handler where it exists and the placeholder otherwise. */
export function allEntries(): FunctionEntries {
  const found = functionEntries(PROJECT_ROOT);
  return {
    worker: found.worker,
    webhook: found.webhook ?? PLACEHOLDER,
    reconcile: found.reconcile ?? PLACEHOLDER,
  };
}

/** Builds the stack from CDK context as `cdk synth -c …` would, without bundling. */
export function build(context: Record<string, unknown> = MINIMAL, entries: FunctionEntries = allEntries()) {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = new JamaSyncStack(app, 'JamaSync', {
    config: configFromContext((key) => app.node.tryGetContext(key)),
    entries,
    projectRoot: PROJECT_ROOT,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, Json>; [key: string]: unknown }
>;

/**
 * Replaces CloudFormation intrinsics with values shaped like the deployed ones (queue URLs, table
 * names, secret ARNs), so a function's environment can be fed to the real config loaders.
 */
export function resolveIntrinsics(value: Json, resources: Resources): Json {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, resources));
  if ('Ref' in value) {
    const id = value.Ref as string;
    const type = resources[id]?.Type;
    if (type === 'AWS::SQS::Queue') return `https://sqs.eu-west-1.amazonaws.com/123456789012/${id}`;
    if (type === 'AWS::SecretsManager::Secret')
      return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${id}-AbCdEf`;
    return id;
  }
  if ('Fn::Join' in value) {
    const [sep, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((p) => resolveIntrinsics(p, resources)).join(sep);
  }
  if ('Fn::GetAtt' in value) return `arn:aws:test:::${(value['Fn::GetAtt'] as string[]).join('.')}`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, resources)]));
}

/** A function's environment variables with intrinsics resolved. */
export function functionEnvironment(resources: Resources, logicalId: string): Record<string, string> {
  const properties = resources[logicalId]?.Properties ?? {};
  const env = (properties.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(resolveIntrinsics(v, resources))]),
  );
}

/** Logical id of the one resource of `type` whose id starts with `prefix`. */
export function logicalId(resources: Resources, type: string, prefix: string): string {
  const ids = Object.keys(resources).filter((id) => resources[id]?.Type === type && id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ')}`);
  return ids[0] as string;
}
