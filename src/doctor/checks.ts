import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { type Profile, topicNames, readSecret } from '../config/index.ts';
import { awsClientConfig } from '../clients/aws.ts';
import { createS3 } from '../clients/s3.ts';
import { bucketExists } from '../clients/s3-bucket.ts';
import { resolveInvokeUrl } from '../provision/index.ts';
import { createKafkaAdmin } from '../clients/kafka.ts';
import { connectMysql } from '../clients/mysql.ts';
import { isCredentialsError, kafkaFailure } from '../clients/kafka-auth.ts';
import { describeError, isPinpipeError } from '../errors.ts';
import { CheckFailure, type CheckOutcome } from './types.ts';
import { request } from 'undici';

/** What every check receives. `credentials` is shared so the chain is walked once. */
export interface CheckContext {
  profile: Profile;
  credentials: AwsCredentialIdentityProvider | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

const AWS_FIX =
  'Configure AWS credentials: `aws configure` or `aws sso login` (then AWS_PROFILE), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run on an instance with a role';
const sandboxFix = (p: Profile, aws: string) =>
  p.sandbox.enabled ? 'Start the sandbox: `npm run sandbox:up`' : aws;

/** SDK options for doctor: one attempt, short socket timeouts, the shared credential provider. */
function sdkOptions(ctx: CheckContext) {
  const t = ctx.timeoutMs;
  return {
    ...awsClientConfig(ctx.profile),
    ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(2000, t), requestTimeout: t, throwOnRequestTimeout: true },
  };
}

function awsFailure(err: unknown, ctx: CheckContext, what: string, denied: string): CheckFailure {
  if (isCredentialsError(err))
    return new CheckFailure(`no AWS credentials found for ${what}`, AWS_FIX, { cause: err });
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (
    status === 403 ||
    /AccessDenied|Forbidden|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken/i.test(e.name ?? '')
  ) {
    return new CheckFailure(`${what}: access denied (${e.name ?? status})`, denied, { cause: err });
  }
  const where = ctx.profile.aws.endpoint ?? `AWS ${ctx.profile.region}`;
  return new CheckFailure(
    `${what}: ${where} unreachable (${describeError(err)})`,
    sandboxFix(ctx.profile, 'Check the network path to AWS (proxy, VPC endpoints) and the region'),
    { cause: err },
  );
}

/** STS GetCallerIdentity: who the default chain (or the emulator's fixed keys) authenticates as. */
export async function checkCredentials(ctx: CheckContext): Promise<CheckOutcome> {
  const sts = new STSClient(sdkOptions(ctx));
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal });
    const who = `${id.Arn ?? 'unknown principal'} (account ${id.Account ?? '?'})`;
    return { detail: ctx.profile.aws.endpoint ? `emulator STS at ${ctx.profile.aws.endpoint}: ${who}` : who };
  } catch (err) {
    if (
      ctx.profile.aws.endpoint &&
      !isCredentialsError(err) &&
      /NotImplemented|UnknownOperation|InvalidAction/i.test(describeError(err))
    ) {
      return {
        status: 'skip',
        detail: `the emulator at ${ctx.profile.aws.endpoint} has no STS; sandbox keys are fixed`,
      };
    }
    throw awsFailure(
      err,
      ctx,
      'STS GetCallerIdentity',
      'The credentials are invalid or expired: refresh them (`aws sso login`) and retry',
    );
  } finally {
    sts.destroy();
  }
}

/** HeadBucket on s3.bucket: exists and we may list it. */
export async function checkBucket(ctx: CheckContext): Promise<CheckOutcome> {
  const bucket = ctx.profile.s3.bucket;
  const s3 = createS3(ctx.profile, sdkOptions(ctx));
  try {
    if (await bucketExists(s3, bucket, { abortSignal: ctx.signal })) {
      return { detail: `s3://${bucket} exists and is reachable` };
    }
  } catch (err) {
    throw awsFailure(
      err,
      ctx,
      `HeadBucket s3://${bucket}`,
      'Grant s3:ListBucket on the bucket (aws/iam-policy.json)',
    );
  } finally {
    s3.destroy();
  }
  throw new CheckFailure(
    `s3://${bucket} does not exist`,
    `Create it: \`pinpipe provision --profile ${ctx.profile.name}\``,
  );
}

/** A Kafka admin with short timeouts and no retries: bootstrap, authentication, cluster metadata. */
function doctorKafka(ctx: CheckContext) {
  const t = ctx.timeoutMs;
  return createKafkaAdmin(ctx.profile, {
    clientId: `${ctx.profile.kafka.clientId}-doctor`,
    connectTimeout: Math.min(ctx.profile.kafka.connectionTimeoutMs, t),
    requestTimeout: t,
    retries: 0,
  });
}

export async function checkKafka(ctx: CheckContext): Promise<CheckOutcome> {
  const admin = doctorKafka(ctx);
  try {
    const c = await admin.metadata({ topics: [], forceUpdate: true });
    const mode = ctx.profile.kafka.security.mode;
    return {
      detail: `${c.brokers.size} broker(s) answered, authenticated with ${mode} (cluster ${c.id})`,
    };
  } catch (err) {
    const e = kafkaFailure(err, ctx.profile, 'reach the Kafka bootstrap brokers');
    const [message, ...rest] = e.message.split('. ');
    throw new CheckFailure(`${e.code}: ${message}`, rest.join('. ').replace(/\.$/, '') || undefined, {
      cause: err,
    });
  } finally {
    await admin.close().catch(() => {});
  }
}

/** The three topics of the pipeline id exist (created by provision or sandbox:up). */
export async function checkTopics(ctx: CheckContext): Promise<CheckOutcome> {
  const admin = doctorKafka(ctx);
  const wanted = Object.values(topicNames(ctx.profile));
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new CheckFailure(
        `missing topic(s) ${missing.join(', ')}`,
        `Create them: \`pinpipe provision --profile ${ctx.profile.name}\` (or kafka-cluster:DescribeTopic is not granted)`,
      );
    }
    return { detail: `${wanted.join(', ')} exist` };
  } catch (err) {
    if (err instanceof CheckFailure) throw err;
    throw new CheckFailure(kafkaFailure(err, ctx.profile, 'list topics').message, undefined, { cause: err });
  } finally {
    await admin.close().catch(() => {});
  }
}

/** apiGateway.invokeUrl, else the deployed stage of the REST API found by name (src/provision). */
export async function resolveDoctorInvokeUrl(ctx: CheckContext): Promise<string> {
  try {
    return await resolveInvokeUrl(ctx.profile);
  } catch (err) {
    const cause = (err as Error).cause ?? err;
    if (isCredentialsError(cause)) throw awsFailure(cause, ctx, 'API Gateway GetRestApis', '');
    throw checkFailureOf(err);
  }
}

/** A failed step as a check verdict: an error's fix, when it carries one, becomes the check's fix. */
export function checkFailureOf(err: unknown): CheckFailure {
  if (isPinpipeError(err) && err.fix) {
    const fix = err.fix.charAt(0).toUpperCase() + err.fix.slice(1);
    return new CheckFailure(`${err.code}: ${err.problem}`, fix, { cause: err });
  }
  return new CheckFailure(describeError(err), undefined, { cause: err });
}

/**
 * GET with undici's request, not fetch: fetch refuses the Fetch standard's "bad ports" (e.g. 6566,
 * 6665–6669), on which an emulator or a proxy may well listen.
 */
async function httpGet(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; ok: boolean }> {
  const res = await request(url, { method: 'GET', headers, signal });
  await res.body.dump().catch(() => undefined);
  return { status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300 };
}

/** An HTTP request through the gateway to the proxy: GET <invoke-url>/topics. */
export async function checkInvokeUrl(ctx: CheckContext): Promise<CheckOutcome> {
  const base = await resolveDoctorInvokeUrl(ctx);
  const url = `${base.replace(/\/$/, '')}/topics`;
  const headers: Record<string, string> = { accept: 'application/vnd.kafka.v2+json' };
  const key = readSecret(ctx.profile.proxy.apiKeyEnv);
  if (key) headers['x-api-key'] = key;
  let res: { status: number; ok: boolean };
  try {
    res = await httpGet(url, headers, AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]));
  } catch (err) {
    throw new CheckFailure(
      `GET ${url} failed (${describeError((err as { cause?: unknown }).cause ?? err)})`,
      sandboxFix(
        ctx.profile,
        'Check apiGateway.invokeUrl and that the stage is deployed (`pinpipe provision`)',
      ),
    );
  }
  if (res.ok) return { detail: `GET ${url} → ${res.status} through the gateway and the proxy` };
  if (
    res.status >= 500 &&
    !(await answers(`${ctx.profile.proxy.url.replace(/\/$/, '')}/topics`, headers, ctx))
  ) {
    return {
      status: 'warn',
      detail: `GET ${url} → ${res.status}: the gateway answers but the proxy behind it (${ctx.profile.proxy.url}) does not`,
      fix: `Start the proxy: \`pinpipe proxy --profile ${ctx.profile.name}\` (or \`pinpipe run\`)`,
    };
  }
  throw new CheckFailure(
    `GET ${url} → ${res.status}`,
    res.status === 403 || res.status === 401
      ? `Check the API key variable ${ctx.profile.proxy.apiKeyEnv ?? '(proxy.apiKeyEnv)'} and the stage name`
      : `Re-create the API: \`pinpipe provision --profile ${ctx.profile.name}\``,
  );
}

/** The MySQL source: connect + SELECT 1. */
export async function checkMysql(ctx: CheckContext): Promise<CheckOutcome> {
  const m = ctx.profile.mysql;
  const where = `${m.host}:${m.port}/${m.database}`;
  if (!m.password && m.passwordEnv && !readSecret(m.passwordEnv)) {
    throw new CheckFailure(
      `mysql.passwordEnv: ${m.passwordEnv} is unset`,
      `Export the source password in ${m.passwordEnv}`,
    );
  }
  try {
    const conn = await connectMysql(ctx.profile, { connectTimeout: ctx.timeoutMs });
    try {
      await conn.query({ sql: 'SELECT 1', timeout: ctx.timeoutMs });
    } finally {
      await conn.end().catch(() => {});
    }
    return { detail: `${m.user}@${where} answered SELECT 1` };
  } catch (err) {
    const cause = isPinpipeError(err) ? ((err as Error).cause ?? err) : err;
    const text = describeError(cause);
    const denied = /ER_ACCESS_DENIED|Access denied/i.test(text);
    throw new CheckFailure(
      `${where}: ${denied ? 'access denied' : 'unreachable'} (${text})`,
      denied
        ? `Check mysql.user and the password${m.passwordEnv ? ` in ${m.passwordEnv}` : ''}`
        : sandboxFix(ctx.profile, 'Check mysql.host/port and the network path (security group)'),
    );
  }
}

/** True when the URL answers at all (any HTTP status) within the deadline. */
async function answers(url: string, headers: Record<string, string>, ctx: CheckContext): Promise<boolean> {
  try {
    await httpGet(
      url,
      headers,
      AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.min(2000, ctx.timeoutMs))]),
    );
    return true;
  } catch {
    return false;
  }
}
