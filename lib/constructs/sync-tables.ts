import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyType, TABLES, type TableSpec } from '../../src/infra/resources';

export interface SyncTablesProps {
  /** Create the mirror table (the default sink). @default true */
  mirror?: boolean;
  /**
   * Turn on DynamoDB deletion protection for the mirror and retain it when the stack is deleted.
   * @default true
   */
  deletionProtection?: boolean;
}

const attributeType = (type: KeyType) => (type === 'S' ? AttributeType.STRING : AttributeType.NUMBER);

/**
 * The tables of {@link TABLES} (src/infra/resources.ts, shared with the local runtime): on-demand,
 * point-in-time recovery on. The state table holds limiter items, watermarks and pending markers
 * (which expire through TTL); losing it costs one full sweep, so it is deleted with the stack.
 * The mirror is the synchronized data itself.
 */
export class SyncTables extends Construct {
  readonly state: Table;
  readonly mirror?: Table;

  constructor(scope: Construct, id: string, props: SyncTablesProps = {}) {
    super(scope, id);
    this.state = this.table('State', TABLES.state, false);
    if (props.mirror ?? true)
      this.mirror = this.table('Mirror', TABLES.mirror, props.deletionProtection ?? true);
  }

  private table(id: string, spec: TableSpec, protect: boolean): Table {
    const table = new Table(this, id, {
      partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
      ...(spec.sortKey
        ? { sortKey: { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) } }
        : {}),
      ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: protect,
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of spec.globalIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
        ...(index.sortKey
          ? { sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) } }
          : {}),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }
}
