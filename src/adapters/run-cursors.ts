import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ClaimRequest,
  ClaimResult,
  CursorKey,
  RunCursor,
  RunCursorStore,
  RunRecord,
  SlicePosition,
} from '../core/reconcile/cursor';
import { judge, newCursor } from '../core/reconcile/cursor';

import { conditional } from './conditional';

/** Cursors and run records expire from the state table this long after they were written. */
const KEEP_SECONDS = 14 * 24 * 3600;

/** State-table key of one slice's cursor. */
export const cursorKey = (k: CursorKey) => `cursor#${k.env}#${k.projectId}#${k.kind}#${k.runId}#${k.slice}`;
/** State-table key of a run's record (slices, total, slices done). */
export const runRecordKey = (k: Omit<CursorKey, 'slice'>) =>
  `runrec#${k.env}#${k.projectId}#${k.kind}#${k.runId}`;

/** `SET` clauses and values of a position (`until` only when bounded). */
function positionSet(p: SlicePosition, now: number): { set: string[]; values: Record<string, unknown> } {
  const fields: Record<string, number> = { from: p.from, skip: p.skip, pages: p.pages, items: p.items };
  if (p.until !== undefined) fields.until = p.until;
  if (p.newest !== undefined) fields.newest = p.newest;
  fields.advancedAt = now;
  return {
    set: Object.keys(fields).map((name) => `#${name} = :${name}`),
    values: Object.fromEntries(Object.entries(fields).map(([name, v]) => [`:${name}`, v])),
  };
}

const names = (set: string[]) =>
  Object.fromEntries(set.map((clause) => clause.split(' ')[0] as string).map((n) => [n, n.slice(1)]));

/**
 * {@link RunCursorStore} in the state table: one item per slice (`cursor#…`) and one per run
 * (`runrec#…`), every change a conditional write. A claim costs a read and a write, each page one
 * conditional `UpdateItem`; both items expire after 14 days (`expiresAt`).
 */
export class DynamoDbRunCursorStore implements RunCursorStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async claim(r: ClaimRequest): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const item = await this.#get(cursorKey(r.key));
      if (!item) {
        const cursor = newCursor(r);
        const created = await conditional(() =>
          this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...this.#row(cursor, r.now), owner: r.owner, leaseUntil: r.now + r.leaseMs },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        if (created) return { ok: true, cursor };
        continue;
      }
      const verdict = judge(item as never, r);
      if (!verdict.ok) return verdict;
      const taken = await this.#update(
        cursorKey(r.key),
        'SET #owner = :o, leaseUntil = :until, #token = :t',
        'done = :false AND ((#token = :t AND leaseUntil <= :now) OR (prevToken = :t AND leaseUntil <= :grace))',
        {
          ':o': r.owner,
          ':until': r.now + r.leaseMs,
          ':t': r.token,
          ':false': false,
          ':now': r.now,
          ':grace': r.now - r.graceMs,
        },
        { '#owner': 'owner', '#token': 'token' },
      );
      if (taken) return { ok: true, cursor: this.#cursor(item, r.key, r.token) };
    }
    return { ok: false, reason: 'busy', retryAfterMs: 1000 };
  }

  advance(key: CursorKey, owner: string, position: SlicePosition, now: number, leaseMs: number) {
    const { set, values } = positionSet(position, now);
    return this.#update(
      cursorKey(key),
      `SET ${[...set, 'leaseUntil = :leaseUntil'].join(', ')}`,
      '#owner = :o AND done = :false',
      { ...values, ':leaseUntil': now + leaseMs, ':o': owner, ':false': false },
      { ...names(set), '#owner': 'owner' },
    );
  }

  handBack(key: CursorKey, owner: string, nextToken: string, now: number) {
    return this.#update(
      cursorKey(key),
      'SET prevToken = #token, #token = :n, leaseUntil = :now REMOVE #owner',
      '#owner = :o',
      { ':n': nextToken, ':now': now, ':o': owner },
      { '#owner': 'owner', '#token': 'token' },
    );
  }

  async release(key: CursorKey, owner: string) {
    await this.#update(
      cursorKey(key),
      'SET leaseUntil = :zero REMOVE #owner',
      '#owner = :o',
      { ':zero': 0, ':o': owner },
      { '#owner': 'owner' },
    );
  }

  /**
   * Frees every slice an owner still holds, and says how many. Only for a table no other process
   * uses: the local stand-ins on a data directory, which LevelDB's lock keeps to one process, so
   * whoever holds a slice there died with the last process. Its slices then resume at once instead
   * of after their lease (`leaseMs`, a minute).
   */
  async releaseAbandoned(): Promise<number> {
    let released = 0;
    const pages = paginateScan(
      { client: this.doc },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(pk, :cursor) AND attribute_exists(#owner)',
        ExpressionAttributeValues: { ':cursor': 'cursor#' },
        ExpressionAttributeNames: { '#owner': 'owner' },
        ProjectionExpression: 'pk, #owner',
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const freed = await this.#update(
          String(item.pk),
          'SET leaseUntil = :zero REMOVE #owner',
          '#owner = :o',
          { ':zero': 0, ':o': item.owner },
          { '#owner': 'owner' },
        );
        if (freed) released++;
      }
    }
    return released;
  }

  finish(key: CursorKey, owner: string, position: SlicePosition, now: number) {
    const { set, values } = positionSet(position, now);
    return this.#update(
      cursorKey(key),
      `SET ${[...set, 'done = :true', 'leaseUntil = :zero'].join(', ')} REMOVE #owner`,
      '#owner = :o',
      { ...values, ':true': true, ':zero': 0, ':o': owner },
      { ...names(set), '#owner': 'owner' },
    );
  }

  async create(cursors: readonly { key: CursorKey; token: string; position: SlicePosition }[], now: number) {
    for (const c of cursors) {
      const cursor: RunCursor = { ...c.position, key: c.key, token: c.token, done: false, advancedAt: now };
      await conditional(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...this.#row(cursor, now), leaseUntil: 0 },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
  }

  async createRun(record: RunRecord, now: number): Promise<RunRecord> {
    const { doneSlices: _d, newest: _n, key, ...rest } = record;
    await conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: runRecordKey(key), ...rest, expiresAt: Math.floor(now / 1000) + KEEP_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return (await this.run(key)) ?? record;
  }

  async run(key: Omit<CursorKey, 'slice'>): Promise<RunRecord | undefined> {
    const item = await this.#get(runRecordKey(key));
    return item ? toRecord(key, item) : undefined;
  }

  async sliceDone(key: CursorKey, newest: number | undefined): Promise<RunRecord | undefined> {
    const { slice, ...run } = key;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: runRecordKey(run) },
          UpdateExpression: `ADD doneSlices :s${newest === undefined ? '' : ` SET newest${slice} = :n`}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':s': new Set([slice]),
            ...(newest === undefined ? {} : { ':n': newest }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(run, out.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async read(key: CursorKey): Promise<RunCursor | undefined> {
    const item = await this.#get(cursorKey(key));
    return item ? this.#cursor(item, key) : undefined;
  }

  #row(cursor: RunCursor, now: number) {
    const { key, ...rest } = cursor;
    return { pk: cursorKey(key), ...rest, expiresAt: Math.floor(now / 1000) + KEEP_SECONDS };
  }

  #cursor(item: Record<string, unknown>, key: CursorKey, token?: string): RunCursor {
    const n = (name: string) => (typeof item[name] === 'number' ? (item[name] as number) : undefined);
    return {
      key,
      token: token ?? String(item.token),
      done: item.done === true,
      advancedAt: n('advancedAt') ?? 0,
      from: n('from') ?? 0,
      skip: n('skip') ?? 0,
      until: n('until'),
      pages: n('pages') ?? 0,
      items: n('items') ?? 0,
      newest: n('newest'),
    };
  }

  async #get(pk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  #update(
    pk: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
    attrNames: Record<string, string>,
  ) {
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: attrNames,
        }),
      ),
    );
  }
}

function toRecord(key: Omit<CursorKey, 'slice'>, item: Record<string, unknown>): RunRecord {
  const done = item.doneSlices instanceof Set ? [...(item.doneSlices as Set<number>)].map(Number) : [];
  const newest = Object.keys(item)
    .filter((k) => /^newest\d+$/.test(k))
    .map((k) => Number(item[k]));
  return {
    key,
    mode: String(item.mode ?? ''),
    startedAt: Number(item.startedAt ?? 0),
    slices: Number(item.slices ?? 1),
    total: Number(item.total ?? 0),
    bounds: Array.isArray(item.bounds) ? item.bounds.map(Number) : [],
    doneSlices: done.sort((a, b) => a - b),
    newest: newest.length > 0 ? Math.max(...newest) : undefined,
  };
}
