import { type ErrorCode, isJamaSyncError, JamaSyncError } from '../core/errors';

/** An operator command could not reach or use its target; the message says what to do. */
export class OpsError extends JamaSyncError {
  constructor(
    code: Extract<ErrorCode, 'TARGET_NOT_FOUND' | 'AWS_ACCESS' | 'OPERATION_FAILED'>,
    message: string,
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? {} : { cause });
  }
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);

/**
 * Turns an AWS SDK failure into an {@link OpsError} that says what to do: no credentials, expired
 * or rejected ones, missing permissions, no region, an endpoint that does not answer.
 * `doing` names the request, e.g. "describe stack JamaSync".
 */
export function awsError(error: unknown, doing: string): JamaSyncError {
  if (isJamaSyncError(error)) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new OpsError(
      'AWS_ACCESS',
      `No AWS credentials found to ${doing}: set AWS_PROFILE (and run \`aws sso login\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      error,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new OpsError('AWS_ACCESS', `No AWS region to ${doing}: pass --region or set AWS_REGION.`, error);
  }
  if (/ExpiredToken|TokenRefreshRequired/.test(name)) {
    return new OpsError(
      'AWS_ACCESS',
      `Your AWS session has expired (${doing}): sign in again, e.g. \`aws sso login\`.`,
      error,
    );
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature/.test(name)) {
    return new OpsError(
      'AWS_ACCESS',
      `AWS rejected the credentials (${doing}): check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
      error,
    );
  }
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError/.test(name)) {
    return new OpsError(
      'AWS_ACCESS',
      `AWS denied the request to ${doing}: ${message}. Use a role allowed to operate the stack.`,
      error,
    );
  }
  const network = e.code ?? e.cause?.code;
  if (network && NETWORK.has(network)) {
    return new OpsError(
      'AWS_ACCESS',
      `Cannot reach AWS to ${doing} (${network}): check your network, --region and AWS_ENDPOINT_URL.`,
      error,
    );
  }
  return new OpsError(
    'OPERATION_FAILED',
    `AWS failed to ${doing}: ${name ? `${name}: ` : ''}${message}`,
    error,
  );
}

/** Runs one AWS request, mapping its failure with {@link awsError}. */
export async function aws<T>(doing: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw awsError(error, doing);
  }
}
