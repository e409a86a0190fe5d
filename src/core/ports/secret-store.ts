/**
 * Resolves a secret by ARN to the string fields of the JSON object it holds. In AWS:
 * `secretsManagerResolver` (src/adapters/secrets-manager.ts), cached; locally, secrets are inline.
 */
export type SecretResolver = (secretArn: string) => Promise<Record<string, string>>;
