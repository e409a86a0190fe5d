import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface NamedSecret {
  name: string;
  /** An existing secret (complete ARN); otherwise one is created. */
  secretArn?: string | undefined;
}

/** What functions get of a secret: its ARN, for the environment and a GetSecretValue grant. */
export type SecretRef = Pick<ISecret, 'secretArn'>;

export interface SyncSecretsProps {
  /** One credentials secret per Jama environment. */
  environments: readonly NamedSecret[];
  /** One HMAC secret per webhook source. */
  webhookSources: readonly NamedSecret[];
  /** The forward sink's signing secret, when forwarding is on. */
  forward?: { secretArn?: string | undefined };
}

const NO_ROTATION =
  'Jama OAuth client credentials are issued in Jama by an administrator and webhook/forward HMAC ' +
  'secrets are shared with a third party; neither can be rotated by a Secrets Manager rotation ' +
  'function. Rotate by hand with put-secret-value (see docs/deploy.md).';

/**
 * Secrets Manager secrets for everything credential-like, so no credential is ever a plain
 * environment variable or part of the template. Created secrets have predictable names
 * (`<stack>/jama/<env>`, `<stack>/webhook/<source>`, `<stack>/forward`) so operators can fill them
 * with `aws secretsmanager put-secret-value`. Jama credentials start as a generated placeholder
 * that fails authentication until replaced; HMAC secrets are generated for real.
 */
export class SyncSecrets extends Construct {
  readonly jama: ReadonlyMap<string, SecretRef>;
  readonly webhook: ReadonlyMap<string, SecretRef>;
  readonly forward?: SecretRef;

  constructor(scope: Construct, id: string, props: SyncSecretsProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    this.jama = new Map(
      props.environments.map((e) => [
        e.name,
        this.secret(`Jama-${e.name}`, e.secretArn, {
          secretName: `${prefix}/jama/${e.name}`,
          description: `Jama credentials of environment ${e.name}: {"clientId","clientSecret"} or {"username","password"}`,
          template: { clientId: 'REPLACE_ME' },
          key: 'clientSecret',
        }),
      ]),
    );
    this.webhook = new Map(
      props.webhookSources.map((s) => [
        s.name,
        this.secret(`Webhook-${s.name}`, s.secretArn, {
          secretName: `${prefix}/webhook/${s.name}`,
          description: `HMAC secret of webhook source ${s.name}: {"secret"}`,
          template: {},
          key: 'secret',
        }),
      ]),
    );
    if (props.forward) {
      this.forward = this.secret('Forward', props.forward.secretArn, {
        secretName: `${prefix}/forward`,
        description: 'HMAC secret signing requests of the forward sink: {"secret"}',
        template: {},
        key: 'secret',
      });
    }
  }

  /** Every secret, for grants. */
  get all(): SecretRef[] {
    return [...this.jama.values(), ...this.webhook.values(), ...(this.forward ? [this.forward] : [])];
  }

  private secret(
    id: string,
    existingArn: string | undefined,
    spec: { secretName: string; description: string; template: Record<string, string>; key: string },
  ): SecretRef {
    if (existingArn) return Secret.fromSecretCompleteArn(this, id, existingArn);
    const secret = new Secret(this, id, {
      secretName: spec.secretName,
      description: spec.description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(spec.template),
        generateStringKey: spec.key,
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: NO_ROTATION });
    return secret;
  }
}
