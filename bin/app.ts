#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext, contextWarnings, unknownContextKeys } from '../lib/config/from-context';
import { findProjectRoot, functionEntries } from '../lib/entries';
import { JamaSyncStack } from '../lib/jama-sync-stack';
import { isJamaSyncError } from '../src/core/errors';

const app = new App();
const projectRoot = findProjectRoot(process.cwd());
try {
  const config = configFromContext((key) => app.node.tryGetContext(key));
  for (const warning of [
    ...unknownContextKeys(Object.keys(app.node.getAllContext())),
    ...contextWarnings(config),
  ])
    console.warn(`Warning: ${warning}`);
  new JamaSyncStack(app, app.node.tryGetContext('stackName') ?? 'JamaSync', {
    description: 'jama-sync: event-driven sync for Jama Connect within its REST rate limit',
    config,
    entries: functionEntries(projectRoot),
    projectRoot,
  });
} catch (error) {
  // A configuration mistake gets its message, not a stack trace.
  if (!isJamaSyncError(error)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
