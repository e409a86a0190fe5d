import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../core/clock';
import type { LedgerEntry, LedgerFields, PushLedger } from '../core/worker/push-ledger';

/** The key of an item's push ledger in the state table. */
export function ledgerKey(env: string, itemId: number): string {
  return `push#${env}#${itemId}`;
}

/** Field entries are top-level attributes `f:<field key>` = `{at, job}`. */
const FIELD_PREFIX = 'f:';

/**
 * {@link PushLedger} on the state table, one item per Jama item. A claim is a conditional
 * UpdateItem (no live claim, or this job's own) that returns the ledger; a commit sets the decided
 * fields and removes the claim only while this job still holds it. Ledgers carry no TTL: one small
 * item per item ever pushed to.
 */
export class DynamoDbPushLedger implements PushLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async claim(env: string, itemId: number, job: string, until: number): Promise<LedgerFields | 'busy'> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: ledgerKey(env, itemId) } },
          UpdateExpression: 'SET claimJob = :job, claimUntil = :until',
          ConditionExpression: 'attribute_not_exists(claimJob) OR claimUntil < :now OR claimJob = :job',
          ExpressionAttributeValues: {
            ':job': { S: job },
            ':until': { N: String(until) },
            ':now': { N: String(this.clock.now()) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fieldsOf(out.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'busy';
      throw error;
    }
  }

  async commit(env: string, itemId: number, job: string, fields: LedgerFields): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = { ':job': { S: job } };
    const sets = Object.entries(fields).map(([key, entry], i) => {
      names[`#f${i}`] = `${FIELD_PREFIX}${key}`;
      values[`:f${i}`] = { M: { at: { N: String(entry.at) }, job: { S: entry.job } } };
      return `#f${i} = :f${i}`;
    });
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: ledgerKey(env, itemId) } },
        UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}REMOVE claimJob, claimUntil`,
        ConditionExpression: 'claimJob = :job',
        ...(sets.length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  async release(env: string, itemId: number, job: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: ledgerKey(env, itemId) } },
          UpdateExpression: 'REMOVE claimJob, claimUntil',
          ConditionExpression: 'claimJob = :job',
          ExpressionAttributeValues: { ':job': { S: job } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function fieldsOf(attributes: Record<string, AttributeValue>): LedgerFields {
  const fields: Record<string, LedgerEntry> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (!name.startsWith(FIELD_PREFIX) || !value.M) continue;
    fields[name.slice(FIELD_PREFIX.length)] = { at: Number(value.M.at?.N), job: value.M.job?.S ?? '' };
  }
  return fields;
}
