import { PinpipeError } from '../errors.ts';

/**
 * Pure rules about CloudFormation stack states and events: what a status means for the operation
 * that was started, which resource made a stack fail and why, and what to tell the user.
 */
export type StackOperation = 'create' | 'update' | 'delete';

/** The status an operation ends with when it succeeded. */
const SUCCESS: Record<StackOperation, string> = {
  create: 'CREATE_COMPLETE',
  update: 'UPDATE_COMPLETE',
  delete: 'DELETE_COMPLETE',
};

/** Where an operation stands: still running, done, or ended in any other state (failed). */
export function operationPhase(status: string, operation: StackOperation): 'running' | 'done' | 'failed' {
  if (status.endsWith('_IN_PROGRESS')) return 'running';
  return status === SUCCESS[operation] ? 'done' : 'failed';
}

/** A stack in this state cannot be updated, only deleted and created again (what `cdk deploy` does too). */
export function mustRecreate(status: string): boolean {
  return status === 'ROLLBACK_COMPLETE' || status === 'REVIEW_IN_PROGRESS' || status === 'ROLLBACK_FAILED';
}

/** One stack event, as DescribeStackEvents gives it (the fields used here). */
export interface StackEventLike {
  EventId?: string | undefined;
  LogicalResourceId?: string | undefined;
  ResourceType?: string | undefined;
  ResourceStatus?: string | undefined;
  ResourceStatusReason?: string | undefined;
  Timestamp?: Date | undefined;
}

export interface FailedResource {
  logicalId: string;
  type: string;
  status: string;
  reason: string;
}

/** Reasons CloudFormation gives to resources it stopped because another one failed first. */
const CONSEQUENTIAL =
  /resource creation cancelled|resource update cancelled|cancelled by user|rollback requested/i;

/**
 * The resource that made the operation fail: the oldest *_FAILED event of a resource (not the stack
 * itself) whose reason is not a consequence of another failure. Events are given newest first.
 */
export function firstFailure(events: StackEventLike[], stackName: string): FailedResource | undefined {
  const failed = events
    .filter(
      (e) =>
        e.ResourceStatus?.endsWith('_FAILED') &&
        e.ResourceType !== 'AWS::CloudFormation::Stack' &&
        e.LogicalResourceId !== stackName,
    )
    .reverse();
  const cause = failed.find((e) => !CONSEQUENTIAL.test(e.ResourceStatusReason ?? '')) ?? failed[0];
  if (!cause) return undefined;
  return {
    logicalId: cause.LogicalResourceId ?? '?',
    type: cause.ResourceType ?? '?',
    status: cause.ResourceStatus ?? '?',
    reason: cause.ResourceStatusReason ?? 'no reason given',
  };
}

/** One operation event, as DescribeEvents gives it (the fields used here). */
export interface OperationEventLike {
  EventType?: string | undefined;
  LogicalResourceId?: string | undefined;
  ResourceType?: string | undefined;
  ValidationName?: string | undefined;
  ValidationPath?: string | undefined;
  ValidationStatusReason?: string | undefined;
}

/**
 * The first error of CloudFormation's validation before provisioning (the stack event then only says
 * "Validation failed … Call DescribeEvents"), as the failed resource.
 */
export function firstValidationError(events: OperationEventLike[]): FailedResource | undefined {
  const e = events.find((x) => x.EventType === 'VALIDATION_ERROR' && x.ValidationStatusReason);
  if (!e) return undefined;
  return {
    logicalId: e.LogicalResourceId ?? '?',
    type: e.ResourceType ?? '?',
    status: e.ValidationName ?? 'VALIDATION_FAILED',
    reason: `${e.ValidationStatusReason}${e.ValidationPath ? ` (at ${e.ValidationPath})` : ''}`,
  };
}

/** The reason of the stack's own latest *_FAILED event (when no resource failed). */
export function stackFailureReason(events: StackEventLike[], stackName: string): string | undefined {
  return events.find(
    (e) =>
      e.ResourceStatus?.endsWith('_FAILED') &&
      (e.ResourceType === 'AWS::CloudFormation::Stack' || e.LogicalResourceId === stackName) &&
      e.ResourceStatusReason,
  )?.ResourceStatusReason;
}

/** A message from CloudFormation saying the CDK bootstrap stack is missing or too old. */
export function isBootstrapMissing(message: string): boolean {
  return /cdk-bootstrap|bootstrap stack version|run 'cdk bootstrap'|cdk bootstrap/i.test(message);
}

export interface StackWhere {
  stackName: string;
  region: string;
  /** The emulator endpoint when the profile has one (the sandbox). */
  endpoint?: string | undefined;
}

/** What to run when the account and region were never bootstrapped for the CDK. */
export function notBootstrapped(where: StackWhere, detail: string, cause?: unknown): PinpipeError {
  return new PinpipeError(
    'STACK_NOT_BOOTSTRAPPED',
    `The stack ${where.stackName} needs the CDK bootstrap stack in ${where.region}, which is missing or too old (${detail})`,
    {
      cause,
      fix: `run \`npx cdk bootstrap aws://<account-id>/${where.region}\` from infra/ once per account and region, then deploy again`,
    },
  );
}

/**
 * The error for an operation that ended in `status` instead of succeeding: names the resource that
 * failed and CloudFormation's reason for it, and what to do next.
 */
export function stackFailed(
  where: StackWhere,
  operation: StackOperation,
  status: string,
  failure: FailedResource | undefined,
  statusReason?: string,
): PinpipeError {
  const cause = failure
    ? `${failure.logicalId} (${failure.type}) ${failure.status}: ${failure.reason}`
    : (statusReason ?? 'CloudFormation gave no reason');
  if (isBootstrapMissing(cause)) return notBootstrapped(where, cause);
  const fix =
    operation === 'delete'
      ? `remove what blocks ${failure?.logicalId ?? 'the resource'} (e.g. empty a bucket that is not retained), then destroy again`
      : operation === 'create'
        ? 'fix the cause in the profile or the stack, then deploy again (a stack whose creation rolled back is deleted and created anew)'
        : 'fix the cause in the profile or the stack, then deploy again (the stack was rolled back to its previous state)';
  return new PinpipeError(
    'STACK_FAILED',
    `The ${operation} of stack ${where.stackName} ended ${status}: ${cause}`,
    { fix, details: { stackName: where.stackName, status, failedResource: failure?.logicalId } },
  );
}

/** One line of progress for a stack event: "Bucket83908E77 AWS::S3::Bucket CREATE_COMPLETE". */
export function formatEvent(e: StackEventLike): string {
  const reason =
    e.ResourceStatusReason && e.ResourceStatus?.endsWith('_FAILED') ? `: ${e.ResourceStatusReason}` : '';
  return `${e.LogicalResourceId ?? '?'} ${e.ResourceType ?? ''} ${e.ResourceStatus ?? ''}${reason}`.replace(
    /\s+/g,
    ' ',
  );
}
