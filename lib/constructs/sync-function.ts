import * as path from 'node:path';
import { type CfnResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Settings every function of a stack shares (from the stack configuration). */
export interface FunctionSettings {
  /** Powertools log level. @default 'INFO' */
  logLevel?: string | undefined;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays | undefined;
  /** X-Ray active tracing. @default false (docs/deploy.md: it would double the cost per sync) */
  tracing?: boolean | undefined;
}

export interface SyncFunctionProps {
  /** The handler module (exports `handler`). */
  entry: string;
  /** Directory holding package.json and package-lock.json; esbuild resolves modules from here. */
  projectRoot: string;
  /** Powertools service name (log field and `service` metric dimension). */
  serviceName: string;
  description: string;
  /** Application settings (see src/config.ts); Powertools settings are added here. */
  environment: Record<string, string>;
  /** Always set: every function of jama-sync has a bounded share of the account's concurrency. */
  reservedConcurrency: number;
  /** The stack's shared settings. */
  settings?: FunctionSettings | undefined;
  /**
   * Merged over the house defaults (the aws-solutions-constructs `lambdaFunctionProps` pattern),
   * e.g. `{ timeout, memorySize }`. @default 30 s, 512 MB
   */
  functionProps?: Partial<NodejsFunctionProps> | undefined;
}

/** Runtime pinned by the project's toolchain (package.json `node` 22, engines >= 22.12). */
export const RUNTIME = Runtime.NODEJS_22_X;

/**
 * A jama-sync Lambda function with the house defaults: Node.js 22 on arm64, bundled by the local
 * esbuild (no Docker) into one ESM file with the AWS SDK included (the versions we test, not the
 * runtime's), X-Ray active tracing, Powertools settings, an explicit log group with retention,
 * and a role without AWS managed policies: it may write to its own log group and nothing else
 * until the caller grants more.
 */
export class SyncFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: SyncFunctionProps) {
    super(scope, id);
    const settings = props.settings ?? {};
    const tracing = settings.tracing ?? false;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: settings.logRetention ?? 30,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `jama-sync ${props.serviceName}`,
    });
    logGroup.grantWrite(this.role);

    const defaults: NodejsFunctionProps = {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      role: this.role,
      logGroup,
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'JamaSync',
        POWERTOOLS_LOG_LEVEL: settings.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require(); ESM has none unless we make one.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    };
    this.fn = new NodejsFunction(this, 'Function', { ...defaults, ...props.functionProps });

    // CDK makes the function DependsOn both its role and the role's policy; the role is already
    // implied by the function's GetAtt on it (cfn-lint W3005), so keep only the policy, which an
    // event source mapping needs in place before it is created.
    (this.fn.node.defaultChild as CfnResource).addOverride(
      'DependsOn',
      Lazy.list({
        produce: () => {
          const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as
            | CfnResource
            | undefined;
          return policy ? [Stack.of(this).getLogicalId(policy)] : [];
        },
      }),
    );

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the project builds and tests on Node 22 (package.json ' +
        '`node` 22 and engines), so the deployed runtime matches what CI ran. Move with the toolchain.',
    });
    if (tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only X-Ray active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports ' +
          'no resource-level permissions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
      });
    }
  }
}
