import {
  createApiGateway,
  createKafkaAdmin,
  createS3,
  ensureBucket as ensureS3Bucket,
  invokeUrl,
} from '../clients/index.ts';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError, type ErrorCode } from '../errors.ts';
import { ensureGateway } from './gateway.ts';
import type { ProvisionPlan } from './plan.ts';
import { createTopicsReady } from '../clients/kafka-topics.ts';

/** Creates what the plan names and is missing; each step says what it did. Safe to run twice. */
export interface ApplyResult {
  bucket: 'created' | 'exists';
  topics: Array<{ name: string; status: 'created' | 'exists' }>;
  restApiId: string;
  invokeUrl: string;
  gatewayChanges: string[];
}

async function step<T>(code: ErrorCode, what: string, fix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PinpipeError) throw err;
    throw new PinpipeError(code, `${what} failed: ${describeError(err)}. ${fix}`, { cause: err });
  }
}

export async function ensureBucket(profile: Profile, name: string): Promise<'created' | 'exists'> {
  const s3 = createS3(profile);
  try {
    return await ensureS3Bucket(s3, name);
  } finally {
    s3.destroy();
  }
}

export async function ensureTopics(
  profile: Profile,
  topics: ProvisionPlan['topics'],
): Promise<Array<{ name: string; status: 'created' | 'exists' }>> {
  const admin = createKafkaAdmin(profile);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await createTopicsReady(admin, {
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
        })),
      });
    }
    return topics.map((t) => ({ name: t.name, status: existing.has(t.name) ? 'exists' : 'created' }));
  } finally {
    await admin.close();
  }
}

export async function applyGateway(
  profile: Profile,
  plan: ProvisionPlan['restApi'],
): Promise<{ restApiId: string; invokeUrl: string; changes: string[] }> {
  const client = createApiGateway(profile);
  try {
    const r = await step(
      'GATEWAY_FAILED',
      `Provisioning the REST API ${plan.name}`,
      profile.aws.endpoint
        ? `Is the emulator up at ${profile.aws.endpoint}? Run npm run sandbox:up.`
        : 'Check your AWS credentials and apigateway:* permissions (pinpipe doctor --profile aws).',
      () => ensureGateway(client, plan),
    );
    return { ...r, invokeUrl: profile.apiGateway.invokeUrl ?? invokeUrl(profile, r.restApiId) };
  } finally {
    client.destroy();
  }
}

export async function applyProvision(
  profile: Profile,
  plan: ProvisionPlan,
  say: (msg: string) => void = () => undefined,
): Promise<ApplyResult> {
  const bucket = await step(
    'S3_UNAVAILABLE',
    `Creating bucket ${plan.bucket.name}`,
    'Check the S3 endpoint and permissions.',
    () => ensureBucket(profile, plan.bucket.name),
  );
  say(`bucket ${plan.bucket.name}: ${bucket}`);
  const topics = await step(
    'KAFKA_UNAVAILABLE',
    'Creating the Kafka topics',
    `Check that Kafka is reachable at ${profile.kafka.brokers.join(',')} (pinpipe doctor).`,
    () => ensureTopics(profile, plan.topics),
  );
  for (const t of topics) say(`topic ${t.name}: ${t.status}`);
  const gw = await applyGateway(profile, plan.restApi);
  for (const c of gw.changes) say(c);
  say(`REST API ${plan.restApi.name} (${gw.restApiId}): invoke URL ${gw.invokeUrl}`);
  return { bucket, topics, restApiId: gw.restApiId, invokeUrl: gw.invokeUrl, gatewayChanges: gw.changes };
}
