import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  decodeItem,
  type ItemUpdate,
  type LimiterItem,
  limiterKey,
  type Stored,
  tryDecodeItem,
  updateExpression,
} from './item';

/** The outcome of a conditional update: the item after it, or the item that failed the condition, if known. */
export type UpdateOutcome = { ok: true; stored: Stored } | { ok: false; current: Stored | undefined };

/** DynamoDB calls of one limiter item, counted. No policy: the limiter decides what to write. */
export class LimiterItemStore {
  readonly counts = { writes: 0, reads: 0, conflicts: 0 };
  readonly #key: LimiterItem;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    environment: string,
  ) {
    this.#key = limiterKey(environment);
  }

  /** `SET … REMOVE …` if `condition` holds. */
  async update(update: ItemUpdate, condition: string, signal?: AbortSignal): Promise<UpdateOutcome> {
    this.counts.writes++;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.#key,
          UpdateExpression: updateExpression(update),
          ConditionExpression: condition,
          ExpressionAttributeValues: update.values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        signal ? { abortSignal: signal } : {},
      );
      return { ok: true, stored: decodeItem(out.Attributes ?? {}) };
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
      this.counts.conflicts++;
      // DynamoDB returns the current item with the failure; stores that do not (dynalite) cost a read.
      const item = (error as { Item?: LimiterItem }).Item;
      const current = item ? tryDecodeItem(item) : undefined;
      return { ok: false, current: current instanceof Error ? undefined : current };
    }
  }

  /** A consistent read: the item, null if there is none, or the error if it is incomplete. */
  async read(signal?: AbortSignal): Promise<Stored | null | Error> {
    this.counts.reads++;
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.#key, ConsistentRead: true }),
      signal ? { abortSignal: signal } : {},
    );
    return out.Item ? tryDecodeItem(out.Item) : null;
  }
}
