import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Sends a conditional DynamoDB write: resolves true when it was applied, false when its condition
 * did not hold; any other failure rejects. The one place that reads `ConditionalCheckFailedException`
 * for a yes/no answer (the state table's claims, leases, probes and nonces).
 */
export async function conditional(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
