import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import {
  cloudFormationFailure,
  firstFailure,
  formatEvent,
  operationPhase,
  stackFailed,
} from '../../../src/stack/index.ts';
import { firstValidationError, mustRecreate, stackFailureReason } from '../../../src/stack/status.ts';

const where = { stackName: 'Pinpipe-abc', region: 'eu-west-1' };
const ev = (
  LogicalResourceId: string,
  ResourceType: string,
  ResourceStatus: string,
  ResourceStatusReason?: string,
) => ({
  LogicalResourceId,
  ResourceType,
  ResourceStatus,
  ResourceStatusReason,
});

describe('stack states', () => {
  it('an operation runs while *_IN_PROGRESS, is done only in its own *_COMPLETE, failed otherwise', () => {
    expect(operationPhase('CREATE_IN_PROGRESS', 'create')).toBe('running');
    expect(operationPhase('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'update')).toBe('running');
    expect(operationPhase('CREATE_COMPLETE', 'create')).toBe('done');
    expect(operationPhase('UPDATE_COMPLETE', 'update')).toBe('done');
    expect(operationPhase('DELETE_COMPLETE', 'delete')).toBe('done');
    expect(operationPhase('ROLLBACK_COMPLETE', 'create')).toBe('failed');
    expect(operationPhase('UPDATE_ROLLBACK_COMPLETE', 'update')).toBe('failed');
    expect(operationPhase('DELETE_FAILED', 'delete')).toBe('failed');
    expect(operationPhase('CREATE_COMPLETE', 'update')).toBe('failed');
  });

  it('a stack whose creation rolled back can only be deleted and created again', () => {
    expect(mustRecreate('ROLLBACK_COMPLETE')).toBe(true);
    expect(mustRecreate('REVIEW_IN_PROGRESS')).toBe(true);
    expect(mustRecreate('UPDATE_ROLLBACK_COMPLETE')).toBe(false);
    expect(mustRecreate('CREATE_COMPLETE')).toBe(false);
  });
});

describe('the failed resource', () => {
  // newest first, as DescribeStackEvents gives them
  const events = [
    ev('Pinpipe-abc', 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'),
    ev('Api', 'AWS::ApiGateway::RestApi', 'CREATE_FAILED', 'Resource creation cancelled'),
    ev('Bucket', 'AWS::S3::Bucket', 'CREATE_FAILED', 'user-abc-bucket already exists'),
    ev('Role', 'AWS::IAM::Role', 'CREATE_COMPLETE'),
    ev(
      'Pinpipe-abc',
      'AWS::CloudFormation::Stack',
      'CREATE_FAILED',
      'The following resource(s) failed to create: [Bucket]',
    ),
  ];

  it('is the oldest failure that is not a consequence of another', () => {
    expect(firstFailure(events, 'Pinpipe-abc')).toEqual({
      logicalId: 'Bucket',
      type: 'AWS::S3::Bucket',
      status: 'CREATE_FAILED',
      reason: 'user-abc-bucket already exists',
    });
    expect(firstFailure([events[1]!], 'Pinpipe-abc')?.logicalId).toBe('Api');
    expect(firstFailure([events[0]!, events[4]!], 'Pinpipe-abc')).toBeUndefined();
    expect(stackFailureReason(events, 'Pinpipe-abc')).toBe(
      'The following resource(s) failed to create: [Bucket]',
    );
  });

  it('comes from the validation events when CloudFormation failed the stack before provisioning', () => {
    expect(
      firstValidationError([
        { EventType: 'PROVISIONING_ERROR', LogicalResourceId: 'Pinpipe-abc' },
        {
          EventType: 'VALIDATION_ERROR',
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          ValidationName: 'NAME_CONFLICT_VALIDATION',
          ValidationPath: '/Resources/Bucket',
          ValidationStatusReason: "Resource of type 'AWS::S3::Bucket' with identifier 'b' already exists.",
        },
      ]),
    ).toEqual({
      logicalId: 'Bucket',
      type: 'AWS::S3::Bucket',
      status: 'NAME_CONFLICT_VALIDATION',
      reason: "Resource of type 'AWS::S3::Bucket' with identifier 'b' already exists. (at /Resources/Bucket)",
    });
    expect(firstValidationError([])).toBeUndefined();
  });

  it('the error names the stack, the status, the resource and the reason, with what to do (exit 1)', () => {
    const err = stackFailed(where, 'create', 'ROLLBACK_COMPLETE', firstFailure(events, 'Pinpipe-abc'));
    expect(err.code).toBe('STACK_FAILED');
    expect(err.problem).toBe(
      'The create of stack Pinpipe-abc ended ROLLBACK_COMPLETE: Bucket (AWS::S3::Bucket) CREATE_FAILED: user-abc-bucket already exists',
    );
    expect(err.fix).toMatch(/deploy again/);
    expect(exitCodeFor(err.code)).toBe(1);
    const noResource = stackFailed(
      where,
      'update',
      'UPDATE_ROLLBACK_COMPLETE',
      undefined,
      'Template format error',
    );
    expect(noResource.problem).toBe(
      'The update of stack Pinpipe-abc ended UPDATE_ROLLBACK_COMPLETE: Template format error',
    );
    expect(stackFailed(where, 'delete', 'DELETE_FAILED', undefined).fix).toMatch(/destroy again/);
  });

  it('a missing CDK bootstrap says what to run (exit 3)', () => {
    const err = stackFailed(
      where,
      'create',
      'ROLLBACK_COMPLETE',
      undefined,
      'Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.',
    );
    expect(err.code).toBe('STACK_NOT_BOOTSTRAPPED');
    expect(err.fix).toBe(
      'run `npx cdk bootstrap aws://<account-id>/eu-west-1` from infra/ once per account and region, then deploy again',
    );
    expect(exitCodeFor(err.code)).toBe(3);
  });

  it('progress lines name the resource, its type and status, and a failure’s reason', () => {
    expect(formatEvent(events[3]!)).toBe('Role AWS::IAM::Role CREATE_COMPLETE');
    expect(formatEvent(events[2]!)).toBe(
      'Bucket AWS::S3::Bucket CREATE_FAILED: user-abc-bucket already exists',
    );
  });
});

describe('CloudFormation SDK failures', () => {
  const sandbox = { ...where, endpoint: 'http://127.0.0.1:4566' };
  const sdkError = (name: string, message: string, httpStatusCode?: number) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
  /** The error for a failed call to "deploy stack Pinpipe-abc" (on the sandbox when `at` is). */
  const failure = (err: Error, at = where) => cloudFormationFailure(err, at, 'deploy stack Pinpipe-abc');

  it('no credentials, an endpoint that does not answer, an emulator without CloudFormation: exit 3 with the fix', () => {
    const cred = failure(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
    );
    expect(cred.code).toBe('AWS_CREDENTIALS_MISSING');
    expect(cred.message).toMatch(/aws sso login/);
    const down = failure(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }),
      sandbox,
    );
    expect(down.code).toBe('STACK_UNAVAILABLE');
    expect(down.fix).toBe('is the sandbox up at http://127.0.0.1:4566? Run npm run sandbox:up');
    const old = failure(sdkError('Error', '@aws-sdk XML parse error: unexpected content.', 400), sandbox);
    expect(old.code).toBe('STACK_UNAVAILABLE');
    expect(old.fix).toBe('restart the sandbox: npm run sandbox:down && npm run sandbox:up');
    for (const e of [cred, down, old]) expect(exitCodeFor(e.code)).toBe(3);
  });

  it('a missing bootstrap says what to run; any other refusal is STACK_FAILED with the reason', () => {
    const boot = failure(
      sdkError(
        'ValidationError',
        'Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store',
        400,
      ),
    );
    expect(boot.code).toBe('STACK_NOT_BOOTSTRAPPED');
    const refused = failure(
      sdkError('ValidationError', 'Template format error: unsupported structure.', 400),
    );
    expect(refused.code).toBe('STACK_FAILED');
    expect(refused.problem).toBe(
      'CloudFormation refused to deploy stack Pinpipe-abc: Template format error: unsupported structure.',
    );
  });
});
