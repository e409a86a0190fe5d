import { Arn, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SyncEventsProps {
  /** `default` (the account's default bus), `create` (a bus of the stack's own) or a bus ARN. */
  bus: string;
}

/**
 * The EventBridge bus change events go to (docs/events.md). Functions that write the sinks get
 * `events:PutEvents` on this bus only, through {@link grantPut}.
 */
export class SyncEvents extends Construct {
  /** What the worker passes as `EventBusName`: the bus ARN (works across accounts too). */
  readonly busArn: string;
  /** `events:PutEvents` on this bus only. */
  readonly grantPut: (grantee: IGrantable) => void;

  constructor(scope: Construct, id: string, props: SyncEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.bus === 'create') {
      const bus = new EventBus(this, 'Bus', {
        eventBusName: `${stack.stackName}-changes`,
        description:
          'jama-sync change events: Jama Item Changed, Jama Item Deleted, Jama Relationship Changed',
      });
      this.busArn = bus.eventBusArn;
      this.grantPut = (grantee) => void bus.grantPutEventsTo(grantee);
    } else {
      const arn =
        props.bus === 'default'
          ? Arn.format({ service: 'events', resource: 'event-bus', resourceName: 'default' }, stack)
          : props.bus;
      const bus = EventBus.fromEventBusArn(this, 'Bus', arn);
      this.busArn = bus.eventBusArn;
      this.grantPut = (grantee) => void bus.grantPutEventsTo(grantee);
    }
  }
}
