import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeEventsCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { Profile } from '../config/index.ts';
import { createCloudFormation } from '../clients/index.ts';
import { awsCredentialsError } from '../clients/kafka-auth.ts';
import { PinpipeError, describeError } from '../errors.ts';
import {
  firstFailure,
  firstValidationError,
  formatEvent,
  isBootstrapMissing,
  mustRecreate,
  notBootstrapped,
  operationPhase,
  stackFailed,
  stackFailureReason,
  type FailedResource,
  type StackOperation,
  type StackWhere,
} from './status.ts';

/**
 * Deploys a synthesized CloudFormation template as a stack, waits for it with a deadline and
 * progress, reads its outputs and deletes it. Works the same against AWS and MiniStack (the
 * sandbox's emulator endpoint, from the profile).
 */

/** CloudFormation's limit for a template sent inline (larger ones go through S3: `cdk deploy`). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export interface StackWaitOptions {
  /** Longest wait for the operation to end; default 60 min (an MSK cluster alone takes 20–40 min on AWS). */
  timeoutMs?: number;
  /** First pause between polls; it doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** One line per new stack event: "Bucket AWS::S3::Bucket CREATE_COMPLETE". */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface DeployOptions extends StackWaitOptions {
  stackName: string;
  /** The synthesized template (an object, or its JSON). */
  template: Record<string, unknown> | string;
  /** Stack parameters, when the template declares any. */
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface StackResult {
  stackName: string;
  stackId: string;
  /** What was done: 'none' when the stack already matched the template. */
  operation: StackOperation | 'none';
  status: string;
  seconds: number;
  /** OutputKey → OutputValue (empty after a delete). */
  outputs: Record<string, string>;
}

function whereOf(profile: Profile, stackName: string): StackWhere {
  return { stackName, region: profile.region, endpoint: profile.aws.endpoint };
}

function isMissingStack(err: unknown): boolean {
  return /does not exist/i.test((err as Error)?.message ?? '');
}

/** Turns an SDK failure into the project's error: credentials, an unreachable endpoint, bootstrap, other. */
export function cloudFormationFailure(err: unknown, where: StackWhere, action: string): PinpipeError {
  if (err instanceof PinpipeError) return err;
  const cred = awsCredentialsError(err, action);
  if (cred instanceof PinpipeError) return cred;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'AbortError') {
    return new PinpipeError('INTERRUPTED', `Interrupted while waiting to ${action}.`, { cause: err });
  }
  if (isBootstrapMissing(e?.message ?? '')) return notBootstrapped(where, describeError(err), err);
  // a MiniStack started without CloudFormation in its SERVICES answers JSON the SDK cannot parse
  if (where.endpoint && /unsupported service|xml parse error|deserialization error/i.test(e?.message ?? '')) {
    return new PinpipeError(
      'STACK_UNAVAILABLE',
      `The emulator at ${where.endpoint} does not serve CloudFormation (it was started without it)`,
      { cause: err, fix: 'restart the sandbox: npm run sandbox:down && npm run sandbox:up' },
    );
  }
  const status = e?.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) {
    return new PinpipeError(
      'STACK_UNAVAILABLE',
      `CloudFormation is unreachable while trying to ${action} (${describeError(err)})`,
      {
        cause: err,
        fix: where.endpoint
          ? `is the sandbox up at ${where.endpoint}? Run npm run sandbox:up`
          : `check the network and the region (${where.region}), then retry`,
      },
    );
  }
  return new PinpipeError('STACK_FAILED', `CloudFormation refused to ${action}: ${describeError(err)}`, {
    cause: err,
    fix: 'check the template and the permissions of your credentials (cloudformation:*Stack*)',
  });
}

/** The stack as CloudFormation describes it, or undefined when there is none by that name. */
export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
  signal?: AbortSignal,
): Promise<Stack | undefined> {
  try {
    const r = await client.send(new DescribeStacksCommand({ StackName: stackName }), {
      abortSignal: signal,
    });
    const stack = r.Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (err) {
    if (isMissingStack(err)) return undefined;
    throw err;
  }
}

export function outputsOf(stack: Stack | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack?.Outputs ?? [])
    if (o.OutputKey && o.OutputValue !== undefined) out[o.OutputKey] = o.OutputValue;
  return out;
}

/** The outputs of a deployed stack; STACK_NOT_FOUND when there is none, or when it is not in a usable state. */
export async function readStackOutputs(
  profile: Profile,
  stackName: string,
  signal?: AbortSignal,
): Promise<{ outputs: Record<string, string>; status: string; stackId: string }> {
  const where = whereOf(profile, stackName);
  const client = createCloudFormation(profile);
  try {
    const stack = await describeStack(client, stackName, signal).catch((err: unknown) => {
      throw cloudFormationFailure(err, where, `describe stack ${stackName}`);
    });
    if (!stack) {
      throw new PinpipeError(
        'STACK_NOT_FOUND',
        `No CloudFormation stack named ${stackName} in ${profile.region}${profile.aws.endpoint ? ` at ${profile.aws.endpoint}` : ''}`,
        {
          fix: 'deploy it first (npx cdk deploy from infra/, or npm run infra:sandbox on the sandbox), or pass --stack with the right name',
        },
      );
    }
    const status = stack.StackStatus ?? 'UNKNOWN';
    if (!/^(CREATE|UPDATE|UPDATE_ROLLBACK|IMPORT)_COMPLETE$/.test(status)) {
      throw new PinpipeError(
        'STACK_NOT_FOUND',
        `The stack ${stackName} is ${status}: its outputs are not those of a deployed stack`,
        { fix: 'wait for the operation to end, or deploy again' },
      );
    }
    return { outputs: outputsOf(stack), status, stackId: stack.StackId ?? stackName };
  } finally {
    client.destroy();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Events of the stack newer than `seen` (ids), newest first; the first page is enough between polls. */
async function newEvents(
  client: CloudFormationClient,
  stackId: string,
  seen: Set<string>,
  signal?: AbortSignal,
): Promise<StackEvent[]> {
  const r = await client.send(new DescribeStackEventsCommand({ StackName: stackId }), {
    abortSignal: signal,
  });
  const fresh = (r.StackEvents ?? []).filter((e) => e.EventId && !seen.has(e.EventId));
  for (const e of fresh) seen.add(e.EventId!);
  return fresh;
}

/**
 * Polls the stack (by id, so a deleted stack is still found) until `operation` ends; reports each new
 * event; throws STACK_FAILED naming the failed resource, or when the deadline passes.
 */
async function waitFor(
  client: CloudFormationClient,
  where: StackWhere,
  stackId: string,
  operation: StackOperation,
  started: number,
  seen: Set<string>,
  opts: StackWaitOptions,
): Promise<Stack> {
  const timeoutMs = opts.timeoutMs ?? 60 * 60_000;
  let pause = opts.pollMs ?? 250;
  const events: StackEvent[] = [];
  for (;;) {
    const r = await client.send(new DescribeStacksCommand({ StackName: stackId }), {
      abortSignal: opts.signal,
    });
    const stack = r.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    const fresh = await newEvents(client, stackId, seen, opts.signal);
    events.unshift(...fresh);
    for (const e of [...fresh].reverse()) opts.onProgress?.(formatEvent(e));
    const phase = operationPhase(status, operation);
    if (phase === 'done') return stack!;
    if (phase === 'failed') {
      const failure =
        firstFailure(events, where.stackName) ?? (await validationFailure(client, stackId, opts.signal));
      const reason = stack?.StackStatusReason || stackFailureReason(events, where.stackName);
      throw stackFailed(where, operation, status, failure, reason);
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new PinpipeError(
        'STACK_FAILED',
        `The ${operation} of stack ${where.stackName} is still ${status} after ${Math.round(elapsed / 1000)} s`,
        {
          fix: `CloudFormation goes on with it: follow it with \`aws cloudformation describe-stack-events --stack-name ${where.stackName}\`, or wait longer`,
        },
      );
    }
    await sleep(Math.min(pause, timeoutMs - elapsed), opts.signal);
    pause = Math.min(pause * 2, opts.maxPollMs ?? 5000);
  }
}

/**
 * The first validation error of the stack's failed operation (DescribeEvents), or undefined where the
 * API is missing (older emulators) or names none.
 */
async function validationFailure(
  client: CloudFormationClient,
  stackId: string,
  signal?: AbortSignal,
): Promise<FailedResource | undefined> {
  try {
    const r = await client.send(
      new DescribeEventsCommand({ StackName: stackId, Filters: { FailedEvents: true } }),
      { abortSignal: signal },
    );
    return firstValidationError(r.OperationEvents ?? []);
  } catch {
    return undefined;
  }
}

function templateBody(template: DeployOptions['template'], where: StackWhere): string {
  const body = typeof template === 'string' ? template : JSON.stringify(template);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_TEMPLATE_BODY_BYTES) {
    throw new PinpipeError(
      'STACK_FAILED',
      `The template of ${where.stackName} is ${bytes} bytes, over CloudFormation's ${MAX_TEMPLATE_BODY_BYTES} for a template sent inline`,
      {
        fix: 'deploy it with `npx cdk deploy` from infra/ (it uploads the template to the bootstrap bucket)',
      },
    );
  }
  return body;
}

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/**
 * Creates the stack, or updates it when it exists (a stack whose creation rolled back is deleted and
 * created again, as `cdk deploy` does); waits for the end and returns its outputs. A template that
 * changes nothing is operation 'none'.
 */
export async function deployStack(profile: Profile, opts: DeployOptions): Promise<StackResult> {
  const where = whereOf(profile, opts.stackName);
  const body = templateBody(opts.template, where);
  const client = createCloudFormation(profile);
  const started = Date.now();
  const common = {
    StackName: opts.stackName,
    TemplateBody: body,
    Capabilities: [...CAPABILITIES],
    Parameters: Object.entries(opts.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Tags: Object.entries(opts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
  try {
    let existing = await describeStack(client, opts.stackName, opts.signal);
    if (existing?.StackStatus?.endsWith('_IN_PROGRESS')) {
      throw new PinpipeError(
        'STACK_FAILED',
        `The stack ${opts.stackName} is ${existing.StackStatus}: another operation is running`,
        { fix: 'wait for it to end, then deploy again' },
      );
    }
    if (existing && mustRecreate(existing.StackStatus ?? '')) {
      opts.onProgress?.(`${opts.stackName} is ${existing.StackStatus}: deleting it before creating it again`);
      await deleteAndWait(client, where, existing.StackId!, opts);
      existing = undefined;
    }
    const seen = new Set<string>();
    if (existing) {
      // events of earlier operations are not this one's progress
      await newEvents(client, existing.StackId!, seen, opts.signal);
      try {
        await client.send(new UpdateStackCommand(common), { abortSignal: opts.signal });
      } catch (err) {
        if (/no updates are to be performed/i.test((err as Error)?.message ?? '')) {
          return result(existing, 'none', started);
        }
        throw err;
      }
      const stack = await waitFor(client, where, existing.StackId!, 'update', started, seen, opts);
      return result(stack, 'update', started);
    }
    const created = await client.send(new CreateStackCommand(common), { abortSignal: opts.signal });
    const stack = await waitFor(client, where, created.StackId!, 'create', started, seen, opts);
    return result(stack, 'create', started);
  } catch (err) {
    throw cloudFormationFailure(err, where, `deploy stack ${opts.stackName}`);
  } finally {
    client.destroy();
  }
}

async function deleteAndWait(
  client: CloudFormationClient,
  where: StackWhere,
  stackId: string,
  opts: StackWaitOptions,
): Promise<Stack> {
  const seen = new Set<string>();
  await newEvents(client, stackId, seen, opts.signal);
  await client.send(new DeleteStackCommand({ StackName: stackId }), { abortSignal: opts.signal });
  return waitFor(client, where, stackId, 'delete', Date.now(), seen, opts);
}

/**
 * Deletes the stack and waits for DELETE_COMPLETE. What the template declares retained (the pipeline
 * bucket by default) stays. No stack by that name: operation 'none'.
 */
export async function destroyStack(
  profile: Profile,
  opts: StackWaitOptions & { stackName: string },
): Promise<StackResult> {
  const where = whereOf(profile, opts.stackName);
  const client = createCloudFormation(profile);
  const started = Date.now();
  try {
    const existing = await describeStack(client, opts.stackName, opts.signal);
    if (!existing) {
      return {
        stackName: opts.stackName,
        stackId: '',
        operation: 'none',
        status: 'DELETE_COMPLETE',
        seconds: 0,
        outputs: {},
      };
    }
    const stack = await deleteAndWait(client, where, existing.StackId!, opts);
    return { ...result(stack, 'delete', started), outputs: {} };
  } catch (err) {
    throw cloudFormationFailure(err, where, `destroy stack ${opts.stackName}`);
  } finally {
    client.destroy();
  }
}

function result(stack: Stack, operation: StackResult['operation'], started: number): StackResult {
  return {
    stackName: stack.StackName ?? '',
    stackId: stack.StackId ?? '',
    operation,
    status: stack.StackStatus ?? 'UNKNOWN',
    seconds: (Date.now() - started) / 1000,
    outputs: outputsOf(stack),
  };
}
